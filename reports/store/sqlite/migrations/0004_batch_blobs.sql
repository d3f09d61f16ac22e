-- PostgreSQL keeps batch documents and archives in the database
-- (postgres/migrations/0004_batch_blobs.sql) so that several replicas share
-- them; SQLite runs on one node and keeps them in the spool directory. The
-- number is kept so that both adapters' migrations stay in step.
SELECT 1;
