-- An objective's document is computed from its own row: the view no longer joins every
-- objective's state to the objectives it shows, so rendering the documents of many rows
-- (an import's audit events, a list page) costs per row shown, not per row stored.
-- objective_states() and objective_docs share the lookups through objective_facts_at().

-- The latest measurement and held review of one objective that count at @as_of: its
-- stored latest values where they are not after @as_of, else looked up for it alone.
CREATE FUNCTION objective_facts_at(objective uuid, stored_value double precision,
                                   stored_measured_on date, stored_held_on date,
                                   stored_review_health text, as_of date)
RETURNS TABLE (value double precision, measured_on date, held_on date, assessed_health text)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN stored_measured_on > as_of THEN m.value ELSE stored_value END,
         CASE WHEN stored_measured_on > as_of THEN m.measured_on ELSE stored_measured_on END,
         CASE WHEN stored_held_on > as_of THEN rv.held_on ELSE stored_held_on END,
         CASE WHEN stored_held_on > as_of THEN rv.assessed_health ELSE stored_review_health END
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
      SELECT x.value, x.measured_on FROM measurements x
       WHERE stored_measured_on > as_of
         AND x.objective_id = objective AND x.archived_at IS NULL AND x.measured_on <= as_of
       ORDER BY x.measured_on DESC, x.created_at DESC LIMIT 1) m ON true
    LEFT JOIN LATERAL (
      SELECT r.held_on, i.assessed_health FROM review_items i
        JOIN reviews r ON r.id = i.review_id
       WHERE stored_held_on > as_of
         AND i.objective_id = objective AND i.archived_at IS NULL AND r.archived_at IS NULL
         AND r.status = 'held' AND r.held_on <= as_of
       ORDER BY r.held_on DESC, i.created_at DESC LIMIT 1) rv ON true
$$;

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
  CROSS JOIN LATERAL objective_facts_at(o.id, o.latest_value, o.latest_measured_on,
                                        o.latest_held_on, o.latest_review_health, as_of) f
$$;

DROP VIEW objective_docs;
CREATE VIEW objective_docs AS
SELECT o.*, s.value AS current_value, s.measured_on AS last_measured_on,
       s.held_on AS last_reviewed_on, s.assessed_health AS review_health,
       s.held_on IS NOT NULL AS reviewed, f.risk_ids, f.plan_count, c.progress_pct, c.health,
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
         'current_value', s.value, 'last_measured_on', s.measured_on,
         'progress_pct', c.progress_pct, 'health', c.health,
         'last_reviewed_on', s.held_on, 'risk_ids', f.risk_ids,
         'plan_count', f.plan_count,
         'created_at', iso_ts(o.created_at), 'updated_at', iso_ts(o.updated_at),
         'created_by', o.created_by, 'updated_by', o.updated_by,
         'version', o.version, 'archived_at', iso_ts(o.archived_at)) AS doc
FROM objectives o
CROSS JOIN LATERAL objective_facts_at(o.id, o.latest_value, o.latest_measured_on,
                                      o.latest_held_on, o.latest_review_health, current_date) s
CROSS JOIN LATERAL (
  SELECT objective_progress(o.measure_direction, o.measure_baseline, o.measure_target,
                            o.measure_tolerance, s.value) AS progress_pct,
         objective_health(o.status, o.measure_direction, o.measure_baseline, o.measure_target,
                          o.measure_tolerance, s.value, coalesce(o.start_date, o.created_at::date),
                          o.due_date, s.held_on IS NOT NULL, s.assessed_health,
                          current_date) AS health) c
CROSS JOIN LATERAL (
  SELECT (SELECT coalesce(json_agg(l.risk_id ORDER BY l.risk_id), '[]'::json)
            FROM objective_risks l JOIN risks k ON k.id = l.risk_id AND k.archived_at IS NULL
           WHERE l.objective_id = o.id) AS risk_ids,
         (SELECT count(*)::integer FROM plans p
           WHERE p.objective_id = o.id AND p.archived_at IS NULL) AS plan_count) f;
