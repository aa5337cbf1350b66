-- Idempotency-Key (DESIGN section 6): the first final reply to a POST, per subject and
-- key, kept for IDEMPOTENCY_TTL_SECONDS and replayed for the same request.
CREATE TABLE idempotency_keys (
  subject       text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  status_code   integer,          -- NULL while the first request is still running
  content_type  text,
  location      text,
  etag          text,
  body          bytea,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (subject, key)
);
COMMENT ON TABLE idempotency_keys IS 'Replies remembered for Idempotency-Key replays';
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at); -- purge
