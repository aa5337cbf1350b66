-- Audit documents are kept as the text the resource documents render (json, not jsonb):
-- writing an event no longer parses its documents again (a 100,000-row import spent a
-- fifth of its audit statement there), and an auditor reads each document with the
-- keys in the order the API returns them.
ALTER TABLE audit_events
  ALTER COLUMN before TYPE json USING before::json,
  ALTER COLUMN after TYPE json USING after::json;
