-- The service's get-by-id statement (db_resource_get for objectives), one random
-- objective per transaction. The id comes from bench_ids (n serial, id uuid), filled by
-- bench/run.sh with the same ids the wrk script reads; the scalar subquery is one extra
-- primary-key probe of a small table inside the same round trip, so this ceiling is, if
-- anything, slightly low. Run: pgbench -M prepared -D count=<rows in bench_ids> -f get.sql
\set n random(1, :count)
SELECT t.doc::text AS doc, t.version, t.archived_at IS NOT NULL AS archived FROM objective_docs t WHERE t.id = (SELECT b.id FROM bench_ids b WHERE b.n = :n);
