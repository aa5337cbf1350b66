-- EXPLAIN (no ANALYZE) of a report function's SQL body, planned the way the function runs
-- it: the parameter names become $1..$n, the body is PREPAREd and explained with a generic
-- plan (a SQL function plans its body without knowing the argument values).
-- Used by bench/run.sh when the function does not finish within the explain time limit.
-- psql variables: fn (function name, e.g. report_traceability), args (e.g. '2026-01-01', NULL)
SET plan_cache_mode = force_generic_plan;
WITH RECURSIVE p AS (
  SELECT prosrc, proargnames, pronargs, proargtypes::oid[] AS types
    FROM pg_proc WHERE oid = :'fn'::regproc),
r AS (
  SELECT prosrc AS src, 0 AS i FROM p
  UNION ALL
  SELECT regexp_replace(r.src, '(?<!'')\m' || p.proargnames[r.i + 1] || '\M(?!'')',
                        '$' || (r.i + 1), 'g'), r.i + 1
    FROM r, p WHERE r.i < p.pronargs)
SELECT format('PREPARE bench_report_body(%s) AS %s',
              (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY o)
                 FROM unnest(p.types) WITH ORDINALITY AS u(t, o)),
              rtrim(r.src, E' \n\t;'))
  FROM r, p WHERE r.i = p.pronargs
\gexec
EXPLAIN (VERBOSE off, COSTS on) EXECUTE bench_report_body(:args);
DEALLOCATE bench_report_body;
