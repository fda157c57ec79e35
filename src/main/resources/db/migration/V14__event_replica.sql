-- Which replica wrote each event: the database session's application_name, which every replica sets to its replica
-- id (quarkus.datasource.jdbc.additional-jdbc-properties.ApplicationName). An audit of who drove what, and how
-- the replica tests check that each rollout was driven by the replica holding its lease.
ALTER TABLE rollout_event ADD COLUMN replica VARCHAR(128) DEFAULT current_setting('application_name');
