DROP INDEX annexes_content;
DROP INDEX annexes_meeting;
DROP TABLE annexes;
DROP TABLE annex_chunks;
DROP TABLE annex_contents;
