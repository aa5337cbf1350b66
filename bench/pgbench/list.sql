-- The service's first-page list statement (db_resource_list for objectives) for
-- GET /v1/objectives?status=<status>, default sort, default limit 50 (+1 to see whether
-- there is a next page). Same text and the same two text parameters as the service sends.
-- Run: pgbench -M prepared -D status=active -D limit=51 -f list.sql
SELECT t.doc::text, iso_ts(t.created_at)::text, t.id::text FROM objective_docs t WHERE true AND t.archived_at IS NULL AND t.status = ANY (string_to_array(:status, ',')) ORDER BY t.created_at, t.id LIMIT :limit;
