DROP TABLE memberships;
DROP TABLE committees;
DROP TABLE members;
DROP TABLE organizations;
