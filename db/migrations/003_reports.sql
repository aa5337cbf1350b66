-- Reports (DESIGN section 5) and the one place that computes an objective's state at a
-- date. Everything is set-based: each report is one statement over the selected
-- objectives, rendered as JSON by PostgreSQL.

-- Every objective with its computed fields as of @as_of (measurements and held reviews
-- after that date do not count). Inlined by the planner, so filters on its columns reach
-- the tables' indexes.
CREATE TYPE objective_state AS (
  id uuid, ref text, title text, level text, function text, owner text, status text,
  parent_id uuid, policy_ref text, requirement_refs text[], measure_metric text,
  measure_unit text, measure_baseline double precision, measure_target double precision,
  measure_direction text, measure_tolerance double precision, measure_frequency text,
  success_criteria text, start_date date, due_date date, communicated_to text[],
  communicated_on date, created_at timestamptz, archived_at timestamptz,
  current_value double precision, last_measured_on date, last_reviewed_on date,
  review_health text, progress_pct double precision, health text, overdue boolean);

CREATE FUNCTION objective_states(as_of date) RETURNS SETOF objective_state
LANGUAGE sql STABLE AS $$
  SELECT o.id, o.ref, o.title, o.level, o.function, o.owner, o.status, o.parent_id,
         o.policy_ref, o.requirement_refs, o.measure_metric, o.measure_unit,
         o.measure_baseline, o.measure_target, o.measure_direction, o.measure_tolerance,
         o.measure_frequency, o.success_criteria, o.start_date, o.due_date,
         o.communicated_to, o.communicated_on, o.created_at, o.archived_at,
         m.value, m.measured_on, rv.held_on, rv.assessed_health,
         objective_progress(o.measure_direction, o.measure_baseline, o.measure_target,
                            o.measure_tolerance, m.value),
         objective_health(o.status, o.measure_direction, o.measure_baseline, o.measure_target,
                          o.measure_tolerance, m.value, coalesce(o.start_date, o.created_at::date),
                          o.due_date, rv.held_on IS NOT NULL, rv.assessed_health, as_of),
         o.status IN ('draft', 'active') AND o.due_date < as_of
  FROM objectives o
  LEFT JOIN LATERAL (
    SELECT x.value, x.measured_on FROM measurements x
     WHERE x.objective_id = o.id AND x.archived_at IS NULL AND x.measured_on <= as_of
     ORDER BY x.measured_on DESC, x.created_at DESC LIMIT 1) m ON true
  LEFT JOIN LATERAL (
    SELECT r.held_on, i.assessed_health FROM review_items i
      JOIN reviews r ON r.id = i.review_id
     WHERE i.objective_id = o.id AND i.archived_at IS NULL AND r.archived_at IS NULL
       AND r.status = 'held' AND r.held_on <= as_of
     ORDER BY r.held_on DESC, i.created_at DESC LIMIT 1) rv ON true
$$;
COMMENT ON FUNCTION objective_states(date) IS 'Objectives with computed fields at a date';

-- The documents use the same definition, at today.
CREATE OR REPLACE VIEW objective_docs AS
SELECT o.*, s.current_value, s.last_measured_on, s.last_reviewed_on, s.review_health,
       s.last_reviewed_on IS NOT NULL AS reviewed, f.risk_ids, f.plan_count, s.progress_pct,
       s.health,
       json_build_object(
         'id', o.id, 'ref', o.ref, 'title', o.title, 'level', o.level,
         'description', o.description, 'function', o.function, 'parent_id', o.parent_id,
         'policy_ref', o.policy_ref, 'requirement_refs', o.requirement_refs, 'cia', o.cia,
         'owner', o.owner, 'status', o.status,
         'measure', CASE WHEN o.measure_metric IS NULL THEN NULL ELSE json_build_object(
             'metric', o.measure_metric, 'unit', o.measure_unit,
             'baseline', o.measure_baseline, 'target', o.measure_target,
             'direction', o.measure_direction, 'tolerance', o.measure_tolerance,
             'frequency', o.measure_frequency, 'data_source', o.measure_data_source) END,
         'success_criteria', o.success_criteria,
         'start_date', o.start_date, 'due_date', o.due_date,
         'communicated_to', o.communicated_to, 'communicated_on', o.communicated_on,
         'current_value', s.current_value, 'last_measured_on', s.last_measured_on,
         'progress_pct', s.progress_pct, 'health', s.health,
         'last_reviewed_on', s.last_reviewed_on, 'risk_ids', f.risk_ids,
         'plan_count', f.plan_count,
         'created_at', iso_ts(o.created_at), 'updated_at', iso_ts(o.updated_at),
         'created_by', o.created_by, 'updated_by', o.updated_by,
         'version', o.version, 'archived_at', iso_ts(o.archived_at)) AS doc
FROM objectives o
JOIN objective_states(current_date) s ON s.id = o.id
CROSS JOIN LATERAL (
  SELECT (SELECT coalesce(json_agg(l.risk_id ORDER BY l.risk_id), '[]'::json)
            FROM objective_risks l JOIN risks k ON k.id = l.risk_id AND k.archived_at IS NULL
           WHERE l.objective_id = o.id) AS risk_ids,
         (SELECT count(*)::integer FROM plans p
           WHERE p.objective_id = o.id AND p.archived_at IS NULL) AS plan_count) f;

-- The objectives a report is about: not archived, narrowed by the objective filters
-- (NULL: not filtered).
CREATE FUNCTION report_objectives(as_of date, fn text, levels text[], owner_is text,
                                  statuses text[]) RETURNS SETOF objective_state
LANGUAGE sql STABLE AS $$
  SELECT * FROM objective_states(as_of) s
   WHERE s.archived_at IS NULL
     AND (fn IS NULL OR s.function = fn)
     AND (levels IS NULL OR s.level = ANY (levels))
     AND (owner_is IS NULL OR s.owner = owner_is)
     AND (statuses IS NULL OR s.status = ANY (statuses))
$$;

-- {value: count} over every value of an enum, zeros included, in the listed order.
CREATE FUNCTION enum_counts(vals text[], counted text[]) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT json_object_agg(v, (SELECT count(*) FROM unnest(counted) c WHERE c = v) ORDER BY n)
    FROM unnest(vals) WITH ORDINALITY AS e(v, n)
$$;

CREATE FUNCTION report_objectives_summary(as_of date, fn text, levels text[], owner_is text,
                                          statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT * FROM report_objectives(as_of, fn, levels, owner_is, statuses))
  SELECT json_build_object(
    'as_of', as_of,
    'total', (SELECT count(*) FROM sel),
    'by_status', enum_counts(ARRAY['draft','active','achieved','not_achieved','cancelled'],
                             ARRAY(SELECT status FROM sel)),
    'by_health', enum_counts(ARRAY['achieved','not_achieved','overdue','no_data','on_track',
                                   'at_risk','off_track'], ARRAY(SELECT health FROM sel)),
    'by_level', enum_counts(ARRAY['strategic','tactical','operational'],
                            ARRAY(SELECT level FROM sel)),
    'by_function', (SELECT coalesce(json_object_agg(function, n ORDER BY function), '{}'::json)
                      FROM (SELECT function, count(*) AS n FROM sel
                             WHERE function IS NOT NULL GROUP BY function) f),
    'overdue', (SELECT count(*) FROM sel WHERE overdue),
    'mean_progress_pct', (SELECT avg(progress_pct) FROM sel))
  );
END
$$;

CREATE FUNCTION report_plans_summary(as_of date, fn text, levels text[], owner_is text,
                                     statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT id FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  p AS (SELECT p.* FROM plans p JOIN sel ON sel.id = p.objective_id WHERE p.archived_at IS NULL),
  a AS (SELECT a.* FROM actions a JOIN p ON p.id = a.plan_id WHERE a.archived_at IS NULL)
  SELECT json_build_object(
    'as_of', as_of,
    'total', (SELECT count(*) FROM p),
    'by_status', enum_counts(ARRAY['planned','in_progress','completed','blocked','cancelled'],
                             ARRAY(SELECT status FROM p)),
    'overdue', (SELECT count(*) FROM p WHERE status IN ('planned','in_progress','blocked')
                                          AND due_date < as_of),
    'actions', json_build_object(
        'total', (SELECT count(*) FROM a),
        'by_status', enum_counts(ARRAY['open','done','cancelled'], ARRAY(SELECT status FROM a)),
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

-- Counts of non-closed risks; by_status counts every live risk, closed included.
CREATE FUNCTION report_risk_matrix(as_of date) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH r AS (SELECT * FROM risk_docs WHERE archived_at IS NULL),
  open_r AS (SELECT * FROM r WHERE status <> 'closed')
  SELECT json_build_object(
    'as_of', as_of,
    'inherent', (SELECT json_agg(row_counts ORDER BY l) FROM (
        SELECT l, json_agg((SELECT count(*) FROM open_r WHERE likelihood = l AND impact = i)
                           ORDER BY i) AS row_counts
          FROM generate_series(1, 5) l, generate_series(1, 5) i GROUP BY l) m),
    'residual', (SELECT json_agg(row_counts ORDER BY l) FROM (
        SELECT l, json_agg((SELECT count(*) FROM open_r
                             WHERE residual_likelihood = l AND residual_impact = i)
                           ORDER BY i) AS row_counts
          FROM generate_series(1, 5) l, generate_series(1, 5) i GROUP BY l) m),
    'by_rating', enum_counts(ARRAY['low','medium','high','critical'],
                             ARRAY(SELECT rating FROM open_r)),
    'by_status', enum_counts(ARRAY['open','in_treatment','accepted','closed'],
                             ARRAY(SELECT status FROM r)),
    'by_treatment', enum_counts(ARRAY['mitigate','accept','transfer','avoid'],
                                ARRAY(SELECT treatment FROM open_r)))
  );
END
$$;

CREATE FUNCTION report_reviews_summary(as_of date, window_days integer, fn text, levels text[],
                                       owner_is text, statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT id FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  held AS (SELECT * FROM reviews WHERE archived_at IS NULL AND status = 'held'
                                   AND held_on <= as_of),
  in_window AS (SELECT * FROM held WHERE held_on >= as_of - window_days),
  items AS (SELECT i.* FROM review_items i JOIN sel ON sel.id = i.objective_id
             WHERE i.archived_at IS NULL)
  SELECT json_build_object(
    'as_of', as_of,
    'review_window_days', window_days,
    'last_held_on', (SELECT max(held_on) FROM held),
    'next_review_on', coalesce(
        (SELECT min(held_on) FROM reviews WHERE archived_at IS NULL AND status = 'planned'
                                            AND held_on >= as_of),
        (SELECT next_review_on FROM held ORDER BY held_on DESC, created_at DESC LIMIT 1)),
    'held_in_window', (SELECT count(*) FROM in_window),
    'objectives_reviewed_in_window',
        (SELECT count(DISTINCT items.objective_id) FROM items
           JOIN in_window w ON w.id = items.review_id),
    'objectives_never_reviewed',
        (SELECT count(*) FROM sel WHERE NOT EXISTS (
            SELECT 1 FROM items JOIN held h ON h.id = items.review_id
             WHERE items.objective_id = sel.id)),
    'decisions', enum_counts(ARRAY['continue','revise','close_achieved','close_not_achieved',
                                   'escalate'],
                             ARRAY(SELECT items.decision FROM items
                                     JOIN in_window w ON w.id = items.review_id)))
  );
END
$$;

CREATE FUNCTION report_overdue(as_of date, fn text, levels text[], owner_is text,
                               statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT * FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  p AS (SELECT p.* FROM plans p JOIN sel ON sel.id = p.objective_id WHERE p.archived_at IS NULL)
  SELECT json_build_object(
    'as_of', as_of,
    'objectives', (SELECT coalesce(json_agg(json_build_object(
                      'id', id, 'ref', ref, 'title', title, 'owner', owner,
                      'due_date', due_date, 'days_overdue', as_of - due_date)
                      ORDER BY due_date, ref), '[]'::json)
                     FROM sel WHERE overdue),
    'plans', (SELECT coalesce(json_agg(json_build_object(
                 'id', id, 'ref', ref, 'title', title, 'responsible', responsible,
                 'due_date', due_date, 'days_overdue', as_of - due_date)
                 ORDER BY due_date, ref), '[]'::json)
                FROM p WHERE status IN ('planned','in_progress','blocked') AND due_date < as_of),
    'actions', (SELECT coalesce(json_agg(json_build_object(
                   'id', a.id, 'ref', a.ref, 'title', a.title, 'responsible', a.responsible,
                   'due_date', a.due_date, 'days_overdue', as_of - a.due_date)
                   ORDER BY a.due_date, a.ref), '[]'::json)
                  FROM actions a JOIN p ON p.id = a.plan_id
                 WHERE a.archived_at IS NULL AND a.status = 'open' AND a.due_date < as_of))
  );
END
$$;

-- The register's rows, shared by its JSON and CSV forms.
CREATE FUNCTION register_rows(as_of date, fn text, levels text[], owner_is text,
                              statuses text[])
RETURNS TABLE (id uuid, ref text, title text, level text, function text, owner text,
               status text, metric text, unit text, baseline double precision,
               target double precision, current_value double precision, due_date date,
               progress_pct double precision, health text, last_reviewed_on date)
LANGUAGE sql STABLE AS $$
  SELECT id, ref, title, level, function, owner, status, measure_metric, measure_unit,
         measure_baseline, measure_target, current_value, due_date, progress_pct, health,
         last_reviewed_on
    FROM report_objectives(as_of, fn, levels, owner_is, statuses)
   ORDER BY ref
$$;

CREATE FUNCTION report_register(as_of date, fn text, levels text[], owner_is text,
                                statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  SELECT json_build_object('as_of', as_of,
    'items', coalesce(json_agg(r ORDER BY r.ref), '[]'::json))
    FROM register_rows(as_of, fn, levels, owner_is, statuses) r
  );
END
$$;

-- A text cell a spreadsheet would run as a formula gets a leading apostrophe.
CREATE FUNCTION csv_safe(cell text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN cell ~ E'^[=+\\-@\\t]' THEN '''' || cell ELSE cell END
$$;

CREATE FUNCTION report_compliance(as_of date, window_days integer, fn text, levels text[],
                                  owner_is text, statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT * FROM report_objectives(as_of, fn, levels, owner_is, statuses)
                WHERE status = 'active'),
  facts AS (
    SELECT s.id, s.ref,
      s.measure_metric IS NOT NULL OR coalesce(s.success_criteria, '') <> '' AS measurable,
      coalesce(s.owner, '') <> '' AS has_owner,
      s.due_date IS NOT NULL AS has_due_date,
      coalesce(s.policy_ref, '') <> '' OR s.parent_id IS NOT NULL AS policy_link,
      cardinality(s.requirement_refs) > 0 OR EXISTS (
        SELECT 1 FROM objective_risks l JOIN risks k ON k.id = l.risk_id AND k.archived_at IS NULL
         WHERE l.objective_id = s.id) AS risk_or_requirement,
      EXISTS (SELECT 1 FROM plans p WHERE p.objective_id = s.id AND p.archived_at IS NULL)
        AS has_plan,
      EXISTS (SELECT 1 FROM plans p WHERE p.objective_id = s.id AND p.archived_at IS NULL
                 AND coalesce(p.activities, '') <> '' AND coalesce(p.resources, '') <> ''
                 AND coalesce(p.responsible, '') <> '' AND p.due_date IS NOT NULL
                 AND coalesce(p.evaluation_method, '') <> '') AS plan_complete,
      CASE WHEN s.measure_metric IS NULL THEN NULL ELSE EXISTS (
        SELECT 1 FROM measurements m WHERE m.objective_id = s.id AND m.archived_at IS NULL
           AND m.measured_on <= as_of
           AND m.measured_on >= as_of - CASE s.measure_frequency WHEN 'weekly' THEN 7
                 WHEN 'quarterly' THEN 92 WHEN 'annually' THEN 366 ELSE 31 END) END AS monitored,
      cardinality(s.communicated_to) > 0 AND s.communicated_on IS NOT NULL AS communicated,
      s.last_reviewed_on IS NOT NULL AND s.last_reviewed_on >= as_of - window_days AS reviewed
    FROM sel s),
  results AS (
    SELECT f.id, f.ref, c.check_id, c.ord, c.passed, c.message FROM facts f
    CROSS JOIN LATERAL (VALUES
      ('measurable', 1, f.measurable, 'has neither a measure nor success criteria'),
      ('owner', 2, f.has_owner, 'has no owner'),
      ('due_date', 3, f.has_due_date, 'has no due date'),
      ('policy_link', 4, f.policy_link, 'names neither a policy nor a parent objective'),
      ('risk_or_requirement', 5, f.risk_or_requirement,
       'is linked to no risk and names no requirement'),
      ('has_plan', 6, f.has_plan, 'has no plan'),
      ('plan_complete', 7, f.plan_complete,
       'has no plan with activities, resources, responsible, due date and evaluation method'),
      ('monitored', 8, f.monitored, 'has no measurement within its measurement frequency'),
      ('communicated', 9, f.communicated, 'has not been communicated (to whom and when)'),
      ('reviewed', 10, f.reviewed, 'has not been reviewed within the review window'))
      AS c(check_id, ord, passed, message)),
  broken AS (
    SELECT k.id, k.ref, k.rating FROM risk_docs k
     WHERE k.archived_at IS NULL AND k.status IN ('open', 'in_treatment')
       AND k.rating IN ('high', 'critical')
       AND NOT EXISTS (SELECT 1 FROM objective_risks l
                         JOIN objectives o ON o.id = l.objective_id
                        WHERE l.risk_id = k.id AND o.archived_at IS NULL
                          AND o.status = 'active'))
  SELECT json_build_object(
    'as_of', as_of,
    'review_window_days', window_days,
    'objectives_checked', (SELECT count(*) FROM facts),
    'score_pct', (SELECT CASE WHEN count(passed) = 0 THEN NULL
                              ELSE round(100.0 * count(*) FILTER (WHERE passed)
                                         / count(passed), 1) END FROM results),
    'checks', (SELECT json_agg(json_build_object(
                  'id', check_id, 'passed', passed_n, 'failed', failed_n,
                  'not_applicable', na_n) ORDER BY ord)
                 FROM (SELECT c.check_id, c.ord,
                              count(*) FILTER (WHERE r.passed) AS passed_n,
                              count(*) FILTER (WHERE NOT r.passed) AS failed_n,
                              count(r.id) FILTER (WHERE r.passed IS NULL) AS na_n
                         FROM (VALUES ('measurable',1),('owner',2),('due_date',3),
                                      ('policy_link',4),('risk_or_requirement',5),
                                      ('has_plan',6),('plan_complete',7),('monitored',8),
                                      ('communicated',9),('reviewed',10)) AS c(check_id, ord)
                         LEFT JOIN results r ON r.check_id = c.check_id
                        GROUP BY c.check_id, c.ord) g),
    'findings', (SELECT coalesce(json_agg(json_build_object(
                    'check', check_id, 'objective_id', id, 'objective_ref', ref,
                    'message', 'objective ' || ref || ' ' || message) ORDER BY ref, ord),
                    '[]'::json)
                   FROM results WHERE NOT passed),
    'broken_links', (SELECT coalesce(json_agg(json_build_object(
                        'risk_id', id, 'risk_ref', ref, 'rating', rating,
                        'message', 'risk ' || ref || ' is rated ' || rating ||
                                   ' but no active objective addresses it') ORDER BY ref),
                        '[]'::json)
                       FROM broken))
  );
END
$$;

CREATE FUNCTION report_traceability(as_of date, fn text, levels text[], owner_is text,
                                    statuses text[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH sel AS (SELECT * FROM report_objectives(as_of, fn, levels, owner_is, statuses)),
  live_risks AS (SELECT * FROM risk_docs WHERE archived_at IS NULL),
  links AS (SELECT l.* FROM objective_risks l JOIN live_risks k ON k.id = l.risk_id
                                               JOIN sel ON sel.id = l.objective_id),
  p AS (SELECT p.* FROM plans p JOIN sel ON sel.id = p.objective_id WHERE p.archived_at IS NULL),
  a AS (SELECT a.* FROM actions a JOIN p ON p.id = a.plan_id WHERE a.archived_at IS NULL),
  plan_nodes AS (
    SELECT p.objective_id, p.ref, json_build_object(
      'id', p.id, 'ref', p.ref, 'title', p.title, 'status', p.status,
      'actions', (SELECT coalesce(json_agg(json_build_object(
                     'id', a.id, 'ref', a.ref, 'title', a.title, 'status', a.status,
                     'due_date', a.due_date) ORDER BY a.ref), '[]'::json)
                    FROM a WHERE a.plan_id = p.id)) AS doc
    FROM p),
  objective_nodes AS (
    SELECT s.id, s.ref, json_build_object(
      'id', s.id, 'ref', s.ref, 'title', s.title, 'health', s.health,
      'plans', (SELECT coalesce(json_agg(pn.doc ORDER BY pn.ref), '[]'::json)
                  FROM plan_nodes pn WHERE pn.objective_id = s.id)) AS doc
    FROM sel s)
  SELECT json_build_object(
    'as_of', as_of,
    'risks', (SELECT coalesce(json_agg(json_build_object(
                 'id', k.id, 'ref', k.ref, 'title', k.title, 'rating', k.rating,
                 'objectives', (SELECT coalesce(json_agg(n.doc ORDER BY n.ref), '[]'::json)
                                  FROM links l JOIN objective_nodes n ON n.id = l.objective_id
                                 WHERE l.risk_id = k.id)) ORDER BY k.ref), '[]'::json)
                FROM live_risks k
               WHERE (fn IS NULL AND levels IS NULL AND owner_is IS NULL AND statuses IS NULL)
                  OR EXISTS (SELECT 1 FROM links l WHERE l.risk_id = k.id)),
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
           WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.plan_id = p.id))))
  );
END
$$;

-- GET /v1/objectives/{id}/progress: the series behind the objective's progress.
CREATE FUNCTION objective_progress_doc(objective uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'objective_id', s.id, 'baseline', s.measure_baseline, 'target', s.measure_target,
    'direction', s.measure_direction, 'health', s.health, 'progress_pct', s.progress_pct,
    'points', (SELECT coalesce(json_agg(json_build_object('measured_on', m.measured_on,
                                                          'value', m.value)
                                        ORDER BY m.measured_on, m.created_at), '[]'::json)
                 FROM measurements m
                WHERE m.objective_id = s.id AND m.archived_at IS NULL
                  AND m.measured_on <= current_date))
  FROM objective_states(current_date) s WHERE s.id = objective
$$;
