-- Node run ids are handed out in blocks of 50 (Hibernate's pooled sequence, NodeRun.id), so that a rollout's node
-- runs are inserted in JDBC batches instead of one statement and round trip each: 10,000 rows in one start.
-- A row inserted without an id (the column default, nextval) still gets one of its own: each nextval reserves the
-- 50 ids up to the value it returns.
ALTER SEQUENCE node_run_id_seq INCREMENT BY 50;
