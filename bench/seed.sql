-- Seeds a realistic register for the benchmark: 100,000 objectives, 1,000,000
-- measurements, 20,000 risks with links, 200,000 plans with actions, and reviews.
-- Set-based (generate_series), so it loads in a minute. Run against a migrated database:
--   psql "$DATABASE_URL" -v scale=1 -f bench/seed.sql
-- :scale multiplies every count (0.01 gives a quick smoke-sized register).
\set ON_ERROR_STOP on
\if :{?scale}
\else
  \set scale 1
\endif

BEGIN;
SET LOCAL synchronous_commit = off;

INSERT INTO objectives (ref, title, level, function, owner, status, policy_ref,
                        requirement_refs, measure_metric, measure_unit, measure_baseline,
                        measure_target, measure_direction, measure_tolerance, measure_frequency,
                        success_criteria, start_date, due_date, communicated_to, communicated_on,
                        created_by, updated_by)
SELECT 'B-OBJ-' || lpad(g::text, 7, '0'),
       'Objective ' || g || ' ' || (ARRAY['reduce phishing', 'patch faster', 'encrypt laptops',
                                         'train staff', 'test backups'])[1 + g % 5],
       (ARRAY['strategic', 'tactical', 'operational'])[1 + g % 3],
       'Function ' || (g % 40),
       'owner' || (g % 500),
       (ARRAY['draft', 'active', 'active', 'active', 'achieved', 'not_achieved', 'cancelled'])[1 + g % 7],
       CASE WHEN g % 4 <> 0 THEN 'POL-' || (g % 20) END,
       CASE WHEN g % 3 = 0 THEN ARRAY['ISO27001:A.' || (g % 93)] ELSE '{}' END,
       CASE WHEN g % 10 <> 0 THEN 'metric ' || (g % 50) END,
       CASE WHEN g % 10 <> 0 THEN '%' END,
       CASE WHEN g % 10 <> 0 THEN 10 + g % 50 END,
       CASE WHEN g % 10 <> 0 THEN CASE WHEN g % 2 = 0 THEN 80 + g % 20 ELSE 1 + g % 5 END END,
       CASE WHEN g % 10 = 0 THEN NULL WHEN g % 11 = 0 THEN 'maintain'
            WHEN g % 2 = 0 THEN 'increase' ELSE 'decrease' END,
       CASE WHEN g % 11 = 0 AND g % 10 <> 0 THEN 2 END,
       CASE WHEN g % 10 <> 0 THEN (ARRAY['weekly', 'monthly', 'quarterly', 'annually'])[1 + g % 4] END,
       CASE WHEN g % 10 = 0 THEN 'Board approval recorded' END,
       current_date - (g % 400),
       current_date - (g % 400) + 30 + (g % 700),
       CASE WHEN g % 2 = 0 THEN ARRAY['all staff'] ELSE '{}' END,
       CASE WHEN g % 2 = 0 THEN current_date - (g % 300) END,
       'seed', 'seed'
  FROM generate_series(1, (100000 * :scale)::int) g;

INSERT INTO measurements (ref, objective_id, value, measured_on, created_by, updated_by)
SELECT 'B-MSR-' || lpad(row_number() OVER ()::text, 8, '0'), o.id,
       o.measure_baseline + (o.measure_target - o.measure_baseline) * k / 12.0,
       current_date - (10 - k) * 30, 'seed', 'seed'
  FROM objectives o CROSS JOIN generate_series(1, 10) k
 WHERE o.ref LIKE 'B-OBJ-%' AND o.measure_metric IS NOT NULL;
-- Top up to ten per objective overall (qualitative ones have none).
INSERT INTO measurements (ref, objective_id, value, measured_on, created_by, updated_by)
SELECT 'B-MSX-' || lpad(row_number() OVER ()::text, 8, '0'), o.id, o.measure_target,
       current_date - k, 'seed', 'seed'
  FROM (SELECT * FROM objectives WHERE ref LIKE 'B-OBJ-%' AND measure_metric IS NOT NULL
         ORDER BY ref LIMIT (10000 * :scale)::int) o CROSS JOIN generate_series(1, 10) k;

INSERT INTO risks (ref, title, likelihood, impact, owner, category, treatment, controls,
                   residual_likelihood, residual_impact, status, review_due,
                   created_by, updated_by)
SELECT 'B-RSK-' || lpad(g::text, 6, '0'), 'Risk ' || g,
       1 + g % 5, 1 + (g / 5) % 5, 'owner' || (g % 300), 'category ' || (g % 12),
       (ARRAY['mitigate', 'accept', 'transfer', 'avoid'])[1 + g % 4],
       ARRAY['A.' || (g % 93)],
       CASE WHEN g % 2 = 0 THEN 1 + g % 3 END, CASE WHEN g % 2 = 0 THEN 1 + g % 2 END,
       (ARRAY['open', 'in_treatment', 'accepted', 'closed'])[1 + g % 4],
       current_date + (g % 365), 'seed', 'seed'
  FROM generate_series(1, (20000 * :scale)::int) g;

-- Two risks for most objectives; some risks stay unlinked.
INSERT INTO objective_risks (objective_id, risk_id, created_by)
SELECT o.id, r.id, 'seed'
  FROM (SELECT id, row_number() OVER (ORDER BY ref) AS n FROM objectives
         WHERE ref LIKE 'B-OBJ-%') o
  JOIN (SELECT id, row_number() OVER (ORDER BY ref) AS n FROM risks
         WHERE ref LIKE 'B-RSK-%') r
    ON r.n = 1 + (o.n * 7) % (18000 * :scale)::int OR r.n = 1 + (o.n * 13) % (18000 * :scale)::int
 WHERE o.n % 9 <> 0
ON CONFLICT DO NOTHING;

INSERT INTO plans (ref, objective_id, title, activities, resources, budget_amount,
                   budget_currency, effort_days, responsible, start_date, due_date,
                   evaluation_method, evaluation_frequency, status, created_by, updated_by)
SELECT 'B-PLN-' || lpad(row_number() OVER ()::text, 7, '0'), o.id, 'Plan ' || k || ' of ' || o.ref,
       CASE WHEN k = 1 THEN 'Run the programme' END, CASE WHEN k = 1 THEN 'Two people' END,
       CASE WHEN k = 1 THEN 1000 * (1 + coalesce(o.measure_baseline, 0)::int % 9) END,
       CASE WHEN k = 1 THEN (ARRAY['EUR', 'USD', 'GBP'])[1 + length(o.ref) % 3] END,
       5 * k, 'team ' || (length(o.title) % 30), o.start_date, o.due_date - 10 * k,
       CASE WHEN k = 1 THEN 'Quarterly metric review' END, 'quarterly',
       (ARRAY['planned', 'in_progress', 'completed', 'blocked', 'cancelled'])[1 + (k + length(o.title)) % 5],
       'seed', 'seed'
  FROM objectives o CROSS JOIN generate_series(1, 2) k
 WHERE o.ref LIKE 'B-OBJ-%';

INSERT INTO actions (ref, plan_id, title, responsible, due_date, status, completed_on,
                     created_by, updated_by)
SELECT 'B-ACT-' || lpad(row_number() OVER ()::text, 7, '0'), p.id, 'Action ' || k,
       p.responsible, p.due_date - 5 * k,
       (ARRAY['open', 'done', 'cancelled'])[1 + k % 3],
       CASE WHEN k % 3 = 1 THEN p.due_date - 6 * k END, 'seed', 'seed'
  FROM (SELECT * FROM plans WHERE ref LIKE 'B-PLN-%' ORDER BY ref
         LIMIT (100000 * :scale)::int) p CROSS JOIN generate_series(1, 2) k;

INSERT INTO reviews (ref, title, held_on, status, next_review_on, created_by, updated_by)
SELECT 'B-REV-' || lpad(g::text, 3, '0'), 'Management review ' || g,
       current_date - 365 * 3 + 90 * g, CASE WHEN current_date - 365 * 3 + 90 * g <= current_date
                                              THEN 'held' ELSE 'planned' END,
       current_date - 365 * 3 + 90 * (g + 1), 'seed', 'seed'
  FROM generate_series(1, 13) g;

INSERT INTO review_items (ref, review_id, objective_id, decision, assessed_health,
                          created_by, updated_by)
SELECT 'B-RVI-' || lpad(row_number() OVER ()::text, 7, '0'), r.id, o.id,
       (ARRAY['continue', 'revise', 'close_achieved', 'close_not_achieved', 'escalate'])[1 + length(o.ref) % 5],
       (ARRAY['on_track', 'at_risk', 'off_track'])[1 + length(o.title) % 3], 'seed', 'seed'
  FROM (SELECT * FROM objectives WHERE ref LIKE 'B-OBJ-%' ORDER BY ref
         LIMIT (30000 * :scale)::int) o
  JOIN reviews r ON r.ref = 'B-REV-' || lpad((1 + length(o.ref || o.title) % 12)::text, 3, '0');

COMMIT;
ANALYZE;
