-- Objectives, the audit trail, and the shared SQL helpers every resource uses.
-- Applied by db/migrate.c inside one transaction; never edited once released.

CREATE FUNCTION iso_ts(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
COMMENT ON FUNCTION iso_ts(timestamptz) IS 'RFC 3339 UTC rendering used in every resource document';

-- Server-assigned refs (OBJ-000001, ...). Skips numbers a client already took.
CREATE FUNCTION next_ref(prefix text, seq regclass, tbl regclass) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  candidate text;
  taken boolean;
BEGIN
  LOOP
    candidate := prefix || '-' || lpad(nextval(seq)::text, 6, '0');
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE ref = $1)', tbl) INTO taken USING candidate;
    EXIT WHEN NOT taken;
  END LOOP;
  RETURN candidate;
END
$$;

CREATE TABLE objectives (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref                 text NOT NULL,
  title               text NOT NULL,
  level               text NOT NULL CHECK (level IN ('strategic', 'tactical', 'operational')),
  description         text,
  function            text,
  parent_id           uuid REFERENCES objectives (id),
  policy_ref          text,
  requirement_refs    text[] NOT NULL DEFAULT '{}',
  cia                 text[] NOT NULL DEFAULT '{}',
  owner               text,
  status              text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'active', 'achieved', 'not_achieved', 'cancelled')),
  measure_metric      text,
  measure_unit        text,
  measure_baseline    double precision,
  measure_target      double precision,
  measure_direction   text CHECK (measure_direction IN ('increase', 'decrease', 'maintain')),
  measure_tolerance   double precision CHECK (measure_tolerance >= 0),
  measure_frequency   text CHECK (measure_frequency IN ('weekly', 'monthly', 'quarterly', 'annually')),
  measure_data_source text,
  success_criteria    text,
  start_date          date,
  due_date            date,
  communicated_to     text[] NOT NULL DEFAULT '{}',
  communicated_on     date,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  created_by          text NOT NULL,
  updated_by          text NOT NULL,
  version             integer NOT NULL DEFAULT 1,
  archived_at         timestamptz,
  CONSTRAINT objectives_ref_key UNIQUE (ref),
  CONSTRAINT objectives_dates CHECK (due_date IS NULL OR start_date IS NULL OR due_date >= start_date),
  CONSTRAINT objectives_measure CHECK ((measure_metric IS NULL) = (measure_direction IS NULL))
);
COMMENT ON TABLE objectives IS 'Information security objectives (ISO/IEC 27001:2022 clause 6.2)';
COMMENT ON COLUMN objectives.measure_metric IS 'NULL when the objective is qualitative (no measure)';
CREATE SEQUENCE objective_ref_seq;
CREATE INDEX objectives_created_idx ON objectives (created_at, id);   -- default list order
CREATE INDEX objectives_updated_idx ON objectives (updated_at, id);   -- sort=updated_at
CREATE INDEX objectives_due_idx ON objectives (due_date, id);         -- sort=due_date, due filters
CREATE INDEX objectives_parent_idx ON objectives (parent_id);         -- parent_id filter, cycle check
CREATE INDEX objectives_status_idx ON objectives (status);            -- status filter

CREATE TABLE audit_events (
  seq           bigserial PRIMARY KEY,
  id            uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  action        text NOT NULL
                CHECK (action IN ('create', 'update', 'archive', 'restore', 'link', 'unlink', 'import')),
  resource_type text NOT NULL
                CHECK (resource_type IN ('objective', 'measurement', 'plan', 'action', 'risk',
                                         'review', 'review_item')),
  resource_id   uuid NOT NULL,
  request_id    text,
  before        jsonb,
  after         jsonb
);
COMMENT ON TABLE audit_events IS 'Append-only history, written in the transaction of each change';
COMMENT ON COLUMN audit_events.seq IS 'Insertion order: the keyset for newest-first listing';
CREATE INDEX audit_resource_idx ON audit_events (resource_id, seq);   -- resource_id filter
CREATE INDEX audit_occurred_idx ON audit_events (occurred_at);        -- occurred_* filters
CREATE INDEX audit_actor_idx ON audit_events (actor, seq);            -- actor filter

-- Progress towards the target (DESIGN section 4), NULL without a value.
CREATE FUNCTION objective_progress(direction text, baseline double precision,
                                   target double precision, tolerance double precision,
                                   v double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v IS NULL OR direction IS NULL THEN NULL
    WHEN direction = 'maintain' THEN
      CASE WHEN abs(v - target) <= coalesce(tolerance, 0) THEN 100 ELSE 0 END
    WHEN baseline = target THEN
      CASE WHEN (direction = 'increase' AND v >= target)
             OR (direction = 'decrease' AND v <= target) THEN 100 ELSE 0 END
    ELSE greatest(0, least(100, (v - baseline) / (target - baseline) * 100))
  END
$$;

-- Share of the planned period passed at @today, NULL without a due date.
CREATE FUNCTION objective_elapsed(start_on date, due_on date, today date) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN due_on IS NULL OR start_on IS NULL THEN NULL
    WHEN due_on <= start_on THEN CASE WHEN today >= due_on THEN 100 ELSE 0 END
    ELSE greatest(0, least(100, (today - start_on)::double precision / (due_on - start_on) * 100))
  END
$$;

-- The one definition of health (DESIGN section 4); reports and documents call it.
-- review_health: assessed_health of the latest held review item (qualitative objectives);
-- reviewed: whether such an item exists.
CREATE FUNCTION objective_health(status text, direction text, baseline double precision,
                                 target double precision, tolerance double precision,
                                 v double precision, start_on date, due_on date,
                                 reviewed boolean, review_health text, today date)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN status = 'cancelled' THEN NULL
    WHEN status = 'achieved' THEN 'achieved'
    WHEN status = 'not_achieved' THEN 'not_achieved'
    WHEN direction IS NOT NULL AND v IS NOT NULL AND (
           (direction = 'increase' AND v >= target)
        OR (direction = 'decrease' AND v <= target)
        OR (direction = 'maintain' AND abs(v - target) <= coalesce(tolerance, 0)))
      THEN CASE WHEN direction = 'maintain' AND (due_on IS NULL OR today <= due_on)
                THEN 'on_track' ELSE 'achieved' END
    WHEN due_on IS NOT NULL AND today > due_on THEN 'overdue'
    WHEN direction IS NOT NULL AND v IS NULL THEN 'no_data'
    WHEN direction IS NULL AND NOT coalesce(reviewed, false) THEN 'no_data'
    WHEN direction IS NULL THEN coalesce(review_health, 'no_data')
    WHEN due_on IS NULL THEN 'on_track'
    WHEN objective_progress(direction, baseline, target, tolerance, v)
         >= objective_elapsed(start_on, due_on, today) - 10 THEN 'on_track'
    WHEN objective_progress(direction, baseline, target, tolerance, v)
         >= objective_elapsed(start_on, due_on, today) - 25 THEN 'at_risk'
    ELSE 'off_track'
  END
$$;

-- The objective as the API shows it: every column, the computed fields, and the JSON
-- document. A view, so the planner inlines it into each query (and prepared statements
-- keep their plans). The facts that come from other resources are constants until the
-- resources that provide them exist.
CREATE VIEW objective_docs AS
SELECT o.*, f.current_value, f.last_measured_on, f.last_reviewed_on, f.review_health,
       f.reviewed, f.risk_ids, f.plan_count, c.progress_pct, c.health,
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
         'current_value', f.current_value, 'last_measured_on', f.last_measured_on,
         'progress_pct', c.progress_pct, 'health', c.health,
         'last_reviewed_on', f.last_reviewed_on, 'risk_ids', f.risk_ids,
         'plan_count', f.plan_count,
         'created_at', iso_ts(o.created_at), 'updated_at', iso_ts(o.updated_at),
         'created_by', o.created_by, 'updated_by', o.updated_by,
         'version', o.version, 'archived_at', iso_ts(o.archived_at)) AS doc
FROM objectives o
CROSS JOIN LATERAL (
  SELECT NULL::double precision AS current_value, NULL::date AS last_measured_on,
         NULL::date AS last_reviewed_on, NULL::text AS review_health, false AS reviewed,
         '[]'::json AS risk_ids, 0 AS plan_count) f
CROSS JOIN LATERAL (
  SELECT objective_progress(o.measure_direction, o.measure_baseline, o.measure_target,
                            o.measure_tolerance, f.current_value) AS progress_pct,
         objective_health(o.status, o.measure_direction, o.measure_baseline, o.measure_target,
                          o.measure_tolerance, f.current_value,
                          coalesce(o.start_date, o.created_at::date), o.due_date,
                          f.reviewed, f.review_health, current_date) AS health) c;
COMMENT ON VIEW objective_docs IS 'Objectives with computed fields and the API document (doc)';
