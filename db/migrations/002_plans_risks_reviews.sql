-- The rest of the data model: measurements, plans and their actions, risks and their
-- links to objectives, management reviews and their items; and the objective's
-- computed fields that come from them.

CREATE FUNCTION risk_rating(score integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN score IS NULL THEN NULL
              WHEN score <= 4 THEN 'low' WHEN score <= 9 THEN 'medium'
              WHEN score <= 16 THEN 'high' ELSE 'critical' END
$$;
COMMENT ON FUNCTION risk_rating(integer) IS 'low 1-4, medium 5-9, high 10-16, critical 20-25';

CREATE TABLE measurements (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref           text NOT NULL CONSTRAINT measurements_ref_key UNIQUE,
  objective_id  uuid NOT NULL REFERENCES objectives (id),
  value         double precision NOT NULL,
  measured_on   date NOT NULL,
  note          text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  updated_by    text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  archived_at   timestamptz
);
COMMENT ON TABLE measurements IS 'Time series of an objective''s measure';
CREATE SEQUENCE measurement_ref_seq;
-- for the objective's latest value (current_value, last_measured_on)
CREATE INDEX measurements_latest_idx ON measurements (objective_id, measured_on DESC, created_at DESC)
  WHERE archived_at IS NULL;
CREATE INDEX measurements_created_idx ON measurements (objective_id, created_at, id);  -- lists
CREATE INDEX measurements_measured_idx ON measurements (objective_id, measured_on, id); -- lists

CREATE TABLE plans (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref                  text NOT NULL CONSTRAINT plans_ref_key UNIQUE,
  objective_id         uuid NOT NULL REFERENCES objectives (id),
  title                text NOT NULL,
  activities           text,
  resources            text,
  budget_amount        double precision CHECK (budget_amount >= 0),
  budget_currency      text,
  effort_days          double precision CHECK (effort_days >= 0),
  responsible          text,
  start_date           date,
  due_date             date,
  evaluation_method    text,
  evaluation_frequency text,
  status               text NOT NULL DEFAULT 'planned'
                       CHECK (status IN ('planned', 'in_progress', 'completed', 'blocked', 'cancelled')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  created_by           text NOT NULL,
  updated_by           text NOT NULL,
  version              integer NOT NULL DEFAULT 1,
  archived_at          timestamptz,
  CONSTRAINT plans_budget CHECK ((budget_amount IS NULL) = (budget_currency IS NULL)),
  CONSTRAINT plans_dates CHECK (due_date IS NULL OR start_date IS NULL OR due_date >= start_date)
);
COMMENT ON TABLE plans IS 'Plans to achieve an objective: what, resources, who, when, evaluation';
CREATE SEQUENCE plan_ref_seq;
CREATE INDEX plans_objective_idx ON plans (objective_id) WHERE archived_at IS NULL; -- plan_count, archive check
CREATE INDEX plans_created_idx ON plans (created_at, id);   -- default list order
CREATE INDEX plans_due_idx ON plans (due_date, id);         -- due filters, sort

CREATE TABLE actions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref           text NOT NULL CONSTRAINT actions_ref_key UNIQUE,
  plan_id       uuid NOT NULL REFERENCES plans (id),
  title         text NOT NULL,
  responsible   text,
  due_date      date,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  completed_on  date,
  evidence      text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  updated_by    text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  archived_at   timestamptz
);
COMMENT ON TABLE actions IS 'Steps of a plan';
CREATE SEQUENCE action_ref_seq;
CREATE INDEX actions_plan_idx ON actions (plan_id, created_at, id); -- lists under a plan

CREATE TABLE risks (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref                 text NOT NULL CONSTRAINT risks_ref_key UNIQUE,
  title               text NOT NULL,
  likelihood          integer NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
  impact              integer NOT NULL CHECK (impact BETWEEN 1 AND 5),
  description         text,
  asset               text,
  threat              text,
  vulnerability       text,
  category            text,
  owner               text,
  treatment           text CHECK (treatment IN ('mitigate', 'accept', 'transfer', 'avoid')),
  treatment_plan      text,
  controls            text[] NOT NULL DEFAULT '{}',
  residual_likelihood integer CHECK (residual_likelihood BETWEEN 1 AND 5),
  residual_impact     integer CHECK (residual_impact BETWEEN 1 AND 5),
  status              text NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'in_treatment', 'accepted', 'closed')),
  review_due          date,
  score               integer GENERATED ALWAYS AS (likelihood * impact) STORED,
  residual_score      integer GENERATED ALWAYS AS (residual_likelihood * residual_impact) STORED,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  created_by          text NOT NULL,
  updated_by          text NOT NULL,
  version             integer NOT NULL DEFAULT 1,
  archived_at         timestamptz
);
COMMENT ON TABLE risks IS 'The risk register objectives trace to';
CREATE SEQUENCE risk_ref_seq;
CREATE INDEX risks_created_idx ON risks (created_at, id);  -- default list order
CREATE INDEX risks_score_idx ON risks (score, id);         -- sort=score, min_score

CREATE TABLE objective_risks (
  objective_id  uuid NOT NULL REFERENCES objectives (id),
  risk_id       uuid NOT NULL REFERENCES risks (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  PRIMARY KEY (objective_id, risk_id)
);
COMMENT ON TABLE objective_risks IS 'Objective-risk links; unlinking deletes, the audit trail keeps history';
CREATE INDEX objective_risks_risk_idx ON objective_risks (risk_id); -- risk -> objectives

CREATE TABLE reviews (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref             text NOT NULL CONSTRAINT reviews_ref_key UNIQUE,
  title           text NOT NULL,
  held_on         date NOT NULL,
  chair           text,
  attendees       text[] NOT NULL DEFAULT '{}',
  summary         text,
  decisions       text,
  next_review_on  date,
  status          text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text NOT NULL,
  updated_by      text NOT NULL,
  version         integer NOT NULL DEFAULT 1,
  archived_at     timestamptz
);
COMMENT ON TABLE reviews IS 'Management reviews (clause 9.3) where objectives are reviewed';
CREATE SEQUENCE review_ref_seq;
CREATE INDEX reviews_created_idx ON reviews (created_at, id);  -- default list order
CREATE INDEX reviews_held_idx ON reviews (held_on, id);        -- held filters, sort

CREATE TABLE review_items (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ref              text NOT NULL CONSTRAINT review_items_ref_key UNIQUE,
  review_id        uuid NOT NULL REFERENCES reviews (id),
  objective_id     uuid NOT NULL REFERENCES objectives (id),
  decision         text NOT NULL CHECK (decision IN ('continue', 'revise', 'close_achieved',
                                                     'close_not_achieved', 'escalate')),
  assessed_health  text CHECK (assessed_health IN ('on_track', 'at_risk', 'off_track',
                                                    'achieved', 'not_achieved')),
  observed_value   double precision,
  notes            text,
  follow_up        text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  updated_by       text NOT NULL,
  version          integer NOT NULL DEFAULT 1,
  archived_at      timestamptz
);
COMMENT ON TABLE review_items IS 'What a review decided about one objective';
CREATE SEQUENCE review_item_ref_seq;
CREATE INDEX review_items_review_idx ON review_items (review_id, created_at, id);  -- lists
CREATE INDEX review_items_objective_idx ON review_items (objective_id)            -- last_reviewed_on
  WHERE archived_at IS NULL;

-- The objective's computed fields, now from the rows that provide them. Archived rows
-- count for nothing; only measurements and held reviews up to today count.
CREATE OR REPLACE VIEW objective_docs AS
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
  SELECT m.value AS current_value, m.measured_on AS last_measured_on,
         rv.held_on AS last_reviewed_on, rv.assessed_health AS review_health,
         rv.held_on IS NOT NULL AS reviewed,
         (SELECT coalesce(json_agg(l.risk_id ORDER BY l.risk_id), '[]'::json)
            FROM objective_risks l JOIN risks k ON k.id = l.risk_id AND k.archived_at IS NULL
           WHERE l.objective_id = o.id) AS risk_ids,
         (SELECT count(*)::integer FROM plans p
           WHERE p.objective_id = o.id AND p.archived_at IS NULL) AS plan_count
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (
    SELECT x.value, x.measured_on FROM measurements x
     WHERE x.objective_id = o.id AND x.archived_at IS NULL AND x.measured_on <= current_date
     ORDER BY x.measured_on DESC, x.created_at DESC LIMIT 1) m ON true
  LEFT JOIN LATERAL (
    SELECT r.held_on, i.assessed_health FROM review_items i
      JOIN reviews r ON r.id = i.review_id
     WHERE i.objective_id = o.id AND i.archived_at IS NULL AND r.archived_at IS NULL
       AND r.status = 'held' AND r.held_on <= current_date
     ORDER BY r.held_on DESC, i.created_at DESC LIMIT 1) rv ON true) f
CROSS JOIN LATERAL (
  SELECT objective_progress(o.measure_direction, o.measure_baseline, o.measure_target,
                            o.measure_tolerance, f.current_value) AS progress_pct,
         objective_health(o.status, o.measure_direction, o.measure_baseline, o.measure_target,
                          o.measure_tolerance, f.current_value,
                          coalesce(o.start_date, o.created_at::date), o.due_date,
                          f.reviewed, f.review_health, current_date) AS health) c;

CREATE VIEW measurement_docs AS
SELECT t.*, json_build_object(
  'id', t.id, 'ref', t.ref, 'objective_id', t.objective_id, 'value', t.value,
  'measured_on', t.measured_on, 'note', t.note, 'recorded_by', t.created_by,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM measurements t;

CREATE VIEW plan_docs AS
SELECT t.*, json_build_object(
  'id', t.id, 'ref', t.ref, 'objective_id', t.objective_id, 'title', t.title,
  'activities', t.activities, 'resources', t.resources,
  'budget', CASE WHEN t.budget_amount IS NULL THEN NULL ELSE
            json_build_object('amount', t.budget_amount, 'currency', t.budget_currency) END,
  'effort_days', t.effort_days, 'responsible', t.responsible,
  'start_date', t.start_date, 'due_date', t.due_date,
  'evaluation_method', t.evaluation_method, 'evaluation_frequency', t.evaluation_frequency,
  'status', t.status,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM plans t;

CREATE VIEW action_docs AS
SELECT t.*, json_build_object(
  'id', t.id, 'ref', t.ref, 'plan_id', t.plan_id, 'title', t.title,
  'responsible', t.responsible, 'due_date', t.due_date, 'status', t.status,
  'completed_on', t.completed_on, 'evidence', t.evidence,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM actions t;

CREATE VIEW risk_docs AS
SELECT t.*, risk_rating(t.score) AS rating, risk_rating(t.residual_score) AS residual_rating,
  json_build_object(
  'id', t.id, 'ref', t.ref, 'title', t.title, 'likelihood', t.likelihood, 'impact', t.impact,
  'score', t.score, 'rating', risk_rating(t.score),
  'description', t.description, 'asset', t.asset, 'threat', t.threat,
  'vulnerability', t.vulnerability, 'category', t.category, 'owner', t.owner,
  'treatment', t.treatment, 'treatment_plan', t.treatment_plan, 'controls', t.controls,
  'residual_likelihood', t.residual_likelihood, 'residual_impact', t.residual_impact,
  'residual_score', t.residual_score, 'residual_rating', risk_rating(t.residual_score),
  'status', t.status, 'review_due', t.review_due,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM risks t;

CREATE VIEW review_docs AS
SELECT t.*, json_build_object(
  'id', t.id, 'ref', t.ref, 'title', t.title, 'held_on', t.held_on, 'chair', t.chair,
  'attendees', t.attendees, 'summary', t.summary, 'decisions', t.decisions,
  'next_review_on', t.next_review_on, 'status', t.status,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM reviews t;

CREATE VIEW review_item_docs AS
SELECT t.*, json_build_object(
  'id', t.id, 'ref', t.ref, 'review_id', t.review_id, 'objective_id', t.objective_id,
  'decision', t.decision, 'assessed_health', t.assessed_health,
  'observed_value', t.observed_value, 'notes', t.notes, 'follow_up', t.follow_up,
  'created_at', iso_ts(t.created_at), 'updated_at', iso_ts(t.updated_at),
  'created_by', t.created_by, 'updated_by', t.updated_by,
  'version', t.version, 'archived_at', iso_ts(t.archived_at)) AS doc
FROM review_items t;
