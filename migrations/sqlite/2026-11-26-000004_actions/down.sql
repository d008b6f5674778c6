DROP TABLE indicator_values;
DROP TABLE indicators;
DROP TABLE actions;
