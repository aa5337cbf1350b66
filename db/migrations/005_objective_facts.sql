-- Reports over 100,000 objectives must not look up each objective's latest measurement
-- and review one by one. Each objective now carries its latest non-archived
-- measurement and latest held review assessment, kept current by statement-level
-- triggers (set-based: one refresh per statement, however many rows it wrote).
-- objective_states() uses them whenever they are not newer than the as_of date, and
-- looks up the older value only for the objectives where they are.

ALTER TABLE objectives
  ADD COLUMN latest_value double precision,
  ADD COLUMN latest_measured_on date,
  ADD COLUMN latest_held_on date,
  ADD COLUMN latest_review_health text;
COMMENT ON COLUMN objectives.latest_measured_on IS
  'Latest non-archived measurement (any date); maintained by triggers on measurements';
COMMENT ON COLUMN objectives.latest_held_on IS
  'held_on of the latest held, live review with a live item for it; maintained by triggers';

CREATE FUNCTION refresh_objective_facts(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE objectives o
     SET latest_value = f.value, latest_measured_on = f.measured_on,
         latest_held_on = f.held_on, latest_review_health = f.assessed_health
    FROM (SELECT x.id, m.value, m.measured_on, rv.held_on, rv.assessed_health
            FROM unnest(ids) AS x(id)
            LEFT JOIN LATERAL (
              SELECT value, measured_on FROM measurements
               WHERE objective_id = x.id AND archived_at IS NULL
               ORDER BY measured_on DESC, created_at DESC LIMIT 1) m ON true
            LEFT JOIN LATERAL (
              SELECT r.held_on, i.assessed_health FROM review_items i
                JOIN reviews r ON r.id = i.review_id
               WHERE i.objective_id = x.id AND i.archived_at IS NULL
                 AND r.archived_at IS NULL AND r.status = 'held'
               ORDER BY r.held_on DESC, i.created_at DESC LIMIT 1) rv ON true) f
   WHERE o.id = f.id
     AND (o.latest_value, o.latest_measured_on, o.latest_held_on, o.latest_review_health)
         IS DISTINCT FROM (f.value, f.measured_on, f.held_on, f.assessed_health)
$$;

CREATE FUNCTION measurements_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_objective_facts(ARRAY(SELECT DISTINCT objective_id FROM new_rows));
  ELSE
    PERFORM refresh_objective_facts(ARRAY(SELECT objective_id FROM new_rows
                                          UNION SELECT objective_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER measurements_inserted AFTER INSERT ON measurements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION measurements_changed();
CREATE TRIGGER measurements_updated AFTER UPDATE ON measurements
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION measurements_changed();

CREATE FUNCTION review_items_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_objective_facts(ARRAY(SELECT DISTINCT objective_id FROM new_rows));
  ELSE
    PERFORM refresh_objective_facts(ARRAY(SELECT objective_id FROM new_rows
                                          UNION SELECT objective_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER review_items_inserted AFTER INSERT ON review_items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION review_items_changed();
CREATE TRIGGER review_items_updated AFTER UPDATE ON review_items
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION review_items_changed();

-- A review's status, date or archive state changes what its items mean.
CREATE FUNCTION reviews_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_objective_facts(ARRAY(
    SELECT DISTINCT i.objective_id FROM review_items i
     WHERE i.review_id IN (SELECT id FROM new_rows)));
  RETURN NULL;
END
$$;
CREATE TRIGGER reviews_updated AFTER UPDATE ON reviews
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_changed();

SELECT refresh_objective_facts(ARRAY(SELECT id FROM objectives));

-- The state at @as_of: the stored latest values where they are not after @as_of, else
-- the latest up to @as_of, looked up for that objective only.
CREATE OR REPLACE FUNCTION objective_states(as_of date) RETURNS SETOF objective_state
LANGUAGE sql STABLE AS $$
  SELECT o.id, o.ref, o.title, o.level, o.function, o.owner, o.status, o.parent_id,
         o.policy_ref, o.requirement_refs, o.measure_metric, o.measure_unit,
         o.measure_baseline, o.measure_target, o.measure_direction, o.measure_tolerance,
         o.measure_frequency, o.success_criteria, o.start_date, o.due_date,
         o.communicated_to, o.communicated_on, o.created_at, o.archived_at,
         f.value, f.measured_on, f.held_on, f.assessed_health,
         objective_progress(o.measure_direction, o.measure_baseline, o.measure_target,
                            o.measure_tolerance, f.value),
         objective_health(o.status, o.measure_direction, o.measure_baseline, o.measure_target,
                          o.measure_tolerance, f.value, coalesce(o.start_date, o.created_at::date),
                          o.due_date, f.held_on IS NOT NULL, f.assessed_health, as_of),
         o.status IN ('draft', 'active') AND o.due_date < as_of
  FROM objectives o
  LEFT JOIN LATERAL (
    SELECT x.value, x.measured_on FROM measurements x
     WHERE o.latest_measured_on > as_of
       AND x.objective_id = o.id AND x.archived_at IS NULL AND x.measured_on <= as_of
     ORDER BY x.measured_on DESC, x.created_at DESC LIMIT 1) m ON true
  LEFT JOIN LATERAL (
    SELECT r.held_on, i.assessed_health FROM review_items i
      JOIN reviews r ON r.id = i.review_id
     WHERE o.latest_held_on > as_of
       AND i.objective_id = o.id AND i.archived_at IS NULL AND r.archived_at IS NULL
       AND r.status = 'held' AND r.held_on <= as_of
     ORDER BY r.held_on DESC, i.created_at DESC LIMIT 1) rv ON true
  CROSS JOIN LATERAL (
    SELECT CASE WHEN o.latest_measured_on > as_of THEN m.value ELSE o.latest_value END AS value,
           CASE WHEN o.latest_measured_on > as_of THEN m.measured_on
                ELSE o.latest_measured_on END AS measured_on,
           CASE WHEN o.latest_held_on > as_of THEN rv.held_on ELSE o.latest_held_on END AS held_on,
           CASE WHEN o.latest_held_on > as_of THEN rv.assessed_health
                ELSE o.latest_review_health END AS assessed_health) f
$$;

-- Enum counts from a GROUP BY (jsonb {value: n}), zeros filled in, in the listed order.
CREATE OR REPLACE FUNCTION enum_counts(vals text[], counted jsonb) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_object_agg(v, coalesce((counted ->> v)::bigint, 0) ORDER BY n)
    FROM unnest(vals) WITH ORDINALITY AS e(v, n)
$$;

CREATE OR REPLACE FUNCTION report_objectives_summary(as_of date, fn text, levels text[],
                                                     owner_is text, statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS MATERIALIZED (
    SELECT status, health, level, function, overdue, progress_pct
      FROM report_objectives(as_of, fn, levels, owner_is, statuses))
  SELECT json_build_object(
    'as_of', as_of,
    'total', (SELECT count(*) FROM sel),
    'by_status', enum_counts(ARRAY['draft','active','achieved','not_achieved','cancelled'],
        (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) n FROM sel
                                                   GROUP BY status) x)),
    'by_health', enum_counts(ARRAY['achieved','not_achieved','overdue','no_data','on_track',
                                   'at_risk','off_track'],
        (SELECT jsonb_object_agg(health, n) FROM (SELECT health, count(*) n FROM sel
                                                   WHERE health IS NOT NULL GROUP BY health) x)),
    'by_level', enum_counts(ARRAY['strategic','tactical','operational'],
        (SELECT jsonb_object_agg(level, n) FROM (SELECT level, count(*) n FROM sel
                                                  GROUP BY level) x)),
    'by_function', (SELECT coalesce(json_object_agg(function, n ORDER BY function), '{}'::json)
                      FROM (SELECT function, count(*) AS n FROM sel
                             WHERE function IS NOT NULL GROUP BY function) f),
    'overdue', (SELECT count(*) FROM sel WHERE overdue),
    'mean_progress_pct', (SELECT avg(progress_pct) FROM sel))
  );
END
$$;

CREATE OR REPLACE FUNCTION report_plans_summary(as_of date, fn text, levels text[],
                                                owner_is text, statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH p AS MATERIALIZED (
    SELECT p.id, p.status, p.due_date, p.budget_amount, p.budget_currency, p.effort_days
      FROM plans p JOIN report_objectives(as_of, fn, levels, owner_is, statuses) s
        ON s.id = p.objective_id
     WHERE p.archived_at IS NULL),
  a AS MATERIALIZED (
    SELECT a.status, a.due_date FROM actions a JOIN p ON p.id = a.plan_id
     WHERE a.archived_at IS NULL)
  SELECT json_build_object(
    'as_of', as_of,
    'total', (SELECT count(*) FROM p),
    'by_status', enum_counts(ARRAY['planned','in_progress','completed','blocked','cancelled'],
        (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) n FROM p
                                                   GROUP BY status) x)),
    'overdue', (SELECT count(*) FROM p WHERE status IN ('planned','in_progress','blocked')
                                          AND due_date < as_of),
    'actions', json_build_object(
        'total', (SELECT count(*) FROM a),
        'by_status', enum_counts(ARRAY['open','done','cancelled'],
            (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) n FROM a
                                                       GROUP BY status) x)),
        'overdue', (SELECT count(*) FROM a WHERE status = 'open' AND due_date < as_of)),
    'budget_by_currency', (SELECT coalesce(json_object_agg(budget_currency, total
                                                           ORDER BY budget_currency), '{}'::json)
                             FROM (SELECT budget_currency, sum(budget_amount) AS total FROM p
                                    WHERE budget_currency IS NOT NULL
                                    GROUP BY budget_currency) b),
    'effort_days_total', (SELECT coalesce(sum(effort_days), 0) FROM p))
  );
END
$$;

CREATE OR REPLACE FUNCTION report_risk_matrix(as_of date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH r AS MATERIALIZED (
    SELECT likelihood, impact, residual_likelihood, residual_impact, status, treatment,
           risk_rating(score) AS rating
      FROM risks WHERE archived_at IS NULL),
  open_r AS (SELECT * FROM r WHERE status <> 'closed'),
  inherent AS (SELECT likelihood AS l, impact AS i, count(*) AS n FROM open_r GROUP BY 1, 2),
  residual AS (SELECT residual_likelihood AS l, residual_impact AS i, count(*) AS n FROM open_r
                WHERE residual_likelihood IS NOT NULL AND residual_impact IS NOT NULL
                GROUP BY 1, 2)
  SELECT json_build_object(
    'as_of', as_of,
    'inherent', (SELECT json_agg(cells ORDER BY l) FROM (
        SELECT l, json_agg(coalesce(c.n, 0) ORDER BY i) AS cells
          FROM generate_series(1, 5) l CROSS JOIN generate_series(1, 5) i
          LEFT JOIN inherent c USING (l, i) GROUP BY l) m),
    'residual', (SELECT json_agg(cells ORDER BY l) FROM (
        SELECT l, json_agg(coalesce(c.n, 0) ORDER BY i) AS cells
          FROM generate_series(1, 5) l CROSS JOIN generate_series(1, 5) i
          LEFT JOIN residual c USING (l, i) GROUP BY l) m),
    'by_rating', enum_counts(ARRAY['low','medium','high','critical'],
        (SELECT jsonb_object_agg(rating, n) FROM (SELECT rating, count(*) n FROM open_r
                                                   GROUP BY rating) x)),
    'by_status', enum_counts(ARRAY['open','in_treatment','accepted','closed'],
        (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) n FROM r
                                                   GROUP BY status) x)),
    'by_treatment', enum_counts(ARRAY['mitigate','accept','transfer','avoid'],
        (SELECT jsonb_object_agg(treatment, n) FROM (SELECT treatment, count(*) n FROM open_r
                                                      WHERE treatment IS NOT NULL
                                                      GROUP BY treatment) x)))
  );
END
$$;

CREATE OR REPLACE FUNCTION report_reviews_summary(as_of date, window_days integer, fn text,
                                                  levels text[], owner_is text,
                                                  statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS MATERIALIZED (
    SELECT id FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  held AS MATERIALIZED (SELECT id, held_on, next_review_on, created_at FROM reviews
                         WHERE archived_at IS NULL AND status = 'held' AND held_on <= as_of),
  items AS MATERIALIZED (
    SELECT i.objective_id, i.decision, h.held_on >= as_of - window_days AS in_window
      FROM review_items i JOIN held h ON h.id = i.review_id JOIN sel ON sel.id = i.objective_id
     WHERE i.archived_at IS NULL)
  SELECT json_build_object(
    'as_of', as_of,
    'review_window_days', window_days,
    'last_held_on', (SELECT max(held_on) FROM held),
    'next_review_on', coalesce(
        (SELECT min(held_on) FROM reviews WHERE archived_at IS NULL AND status = 'planned'
                                            AND held_on >= as_of),
        (SELECT next_review_on FROM held ORDER BY held_on DESC, created_at DESC LIMIT 1)),
    'held_in_window', (SELECT count(*) FROM held WHERE held_on >= as_of - window_days),
    'objectives_reviewed_in_window',
        (SELECT count(DISTINCT objective_id) FROM items WHERE in_window),
    'objectives_never_reviewed',
        (SELECT count(*) FROM sel WHERE NOT EXISTS (
            SELECT 1 FROM items WHERE items.objective_id = sel.id)),
    'decisions', enum_counts(ARRAY['continue','revise','close_achieved','close_not_achieved',
                                   'escalate'],
        (SELECT jsonb_object_agg(decision, n) FROM (SELECT decision, count(*) n FROM items
                                                     WHERE in_window GROUP BY decision) x)))
  );
END
$$;

-- Built bottom-up with one GROUP BY per level, so its cost follows the size of its answer.
CREATE OR REPLACE FUNCTION report_traceability(as_of date, fn text, levels text[],
                                               owner_is text, statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS MATERIALIZED (
    SELECT id, ref, title, health FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  live_risks AS MATERIALIZED (
    SELECT id, ref, title, risk_rating(score) AS rating FROM risks WHERE archived_at IS NULL),
  links AS MATERIALIZED (
    SELECT l.risk_id, l.objective_id FROM objective_risks l
      JOIN live_risks k ON k.id = l.risk_id JOIN sel ON sel.id = l.objective_id),
  p AS MATERIALIZED (
    SELECT p.id, p.ref, p.title, p.status, p.objective_id FROM plans p
      JOIN sel ON sel.id = p.objective_id WHERE p.archived_at IS NULL),
  actions_by_plan AS (
    SELECT a.plan_id, json_agg(json_build_object('id', a.id, 'ref', a.ref, 'title', a.title,
                                                 'status', a.status, 'due_date', a.due_date)
                               ORDER BY a.ref) AS actions
      FROM actions a JOIN p ON p.id = a.plan_id WHERE a.archived_at IS NULL
     GROUP BY a.plan_id),
  plans_by_objective AS (
    SELECT p.objective_id,
           json_agg(json_build_object('id', p.id, 'ref', p.ref, 'title', p.title,
                                      'status', p.status,
                                      'actions', coalesce(ap.actions, '[]'::json))
                    ORDER BY p.ref) AS plans
      FROM p LEFT JOIN actions_by_plan ap ON ap.plan_id = p.id
     GROUP BY p.objective_id),
  objective_nodes AS (
    SELECT s.id, s.ref, json_build_object('id', s.id, 'ref', s.ref, 'title', s.title,
                                          'health', s.health,
                                          'plans', coalesce(po.plans, '[]'::json)) AS doc
      FROM sel s LEFT JOIN plans_by_objective po ON po.objective_id = s.id
     WHERE s.id IN (SELECT objective_id FROM links)),
  objectives_by_risk AS (
    SELECT l.risk_id, json_agg(n.doc ORDER BY n.ref) AS objectives
      FROM links l JOIN objective_nodes n ON n.id = l.objective_id GROUP BY l.risk_id)
  SELECT json_build_object(
    'as_of', as_of,
    'risks', (SELECT coalesce(json_agg(json_build_object(
                 'id', k.id, 'ref', k.ref, 'title', k.title, 'rating', k.rating,
                 'objectives', coalesce(o.objectives, '[]'::json)) ORDER BY k.ref), '[]'::json)
                FROM live_risks k LEFT JOIN objectives_by_risk o ON o.risk_id = k.id
               WHERE (fn IS NULL AND levels IS NULL AND owner_is IS NULL AND statuses IS NULL)
                  OR o.risk_id IS NOT NULL),
    'gaps', json_build_object(
      'risks_without_objectives', (
          SELECT coalesce(json_agg(k.id ORDER BY k.ref), '[]'::json) FROM live_risks k
           WHERE NOT EXISTS (SELECT 1 FROM objective_risks l JOIN objectives o
                               ON o.id = l.objective_id AND o.archived_at IS NULL
                              WHERE l.risk_id = k.id)),
      'objectives_without_risks', (
          SELECT coalesce(json_agg(s.id ORDER BY s.ref), '[]'::json) FROM sel s
           WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.objective_id = s.id)),
      'objectives_without_plans', (
          SELECT coalesce(json_agg(s.id ORDER BY s.ref), '[]'::json) FROM sel s
           WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.objective_id = s.id)),
      'plans_without_actions', (
          SELECT coalesce(json_agg(p.id ORDER BY p.ref), '[]'::json) FROM p
           WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.plan_id = p.id
                                                       AND a.archived_at IS NULL))))
  );
END
$$;
