-- SEC-AUD-4: the audit log keeps at least six years and is partitioned by month (UTC) of recorded_at, so the
-- retention job (`ptflow audit retention`, db/audit/retention.ts) can drop whole months once they are older
-- than the retention period instead of deleting rows (which the append-only trigger forbids anyway).
-- The existing rows are copied unchanged (same ids, timestamps and hashes): the hash chain stays verifiable.
-- Ids still come from the one sequence, under the chain lock of appendAudit, so they stay unique and ordered
-- although the primary key now has to include the partition key.
ALTER SEQUENCE audit_events_id_seq OWNED BY NONE;
--> statement-breakpoint
ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
--> statement-breakpoint
ALTER TABLE audit_events_unpartitioned RENAME CONSTRAINT audit_events_pkey TO audit_events_unpartitioned_pkey;
--> statement-breakpoint
CREATE TABLE audit_events (
  id bigint DEFAULT nextval('audit_events_id_seq'::regclass) NOT NULL,
  recorded_at timestamp with time zone DEFAULT now() NOT NULL,
  actor_id text NOT NULL,
  actor_type text NOT NULL,
  actor_role text,
  source_ip text,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  patient_ref uuid,
  purpose_of_use text,
  outcome text NOT NULL,
  request_id text,
  workflow_id text,
  fields_disclosed text[],
  prev_hash text NOT NULL,
  hash text NOT NULL,
  CONSTRAINT audit_events_pkey PRIMARY KEY (id, recorded_at)
) PARTITION BY RANGE (recorded_at);
--> statement-breakpoint
ALTER SEQUENCE audit_events_id_seq OWNED BY audit_events.id;
--> statement-breakpoint
-- One month's partition (idempotent). Partitions are the owner's: the application role gets no privilege on
-- them (it reads and appends through the parent only), and TRUNCATE of a single partition raises like the
-- parent's. Row triggers of the parent are cloned onto every partition by PostgreSQL itself.
CREATE FUNCTION audit_events_create_partition(month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  name text := format('audit_events_%s', to_char(first, 'YYYY_MM'));
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
      name, first::text || ' 00:00:00+00', (first + interval '1 month')::date::text || ' 00:00:00+00');
    EXECUTE format('REVOKE ALL ON %I FROM ptflow_app', name);
    EXECUTE format(
      'CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON %I '
      'FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change()', name);
  END IF;
  RETURN name;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_events_create_partition(date) FROM PUBLIC;
--> statement-breakpoint
-- A safety net, never dropped by retention: if nobody created next month's partition in time, audit writes
-- still succeed (a failed audit write would make every PHI route answer 503).
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
--> statement-breakpoint
REVOKE ALL ON audit_events_default FROM ptflow_app;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events_default
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
--> statement-breakpoint
-- Partitions for the months of the existing rows and the next 24 months; `ptflow audit retention` extends it.
SELECT audit_events_create_partition(m::date)
FROM generate_series(
  date_trunc('month', coalesce((SELECT min(recorded_at) FROM audit_events_unpartitioned), now()) AT TIME ZONE 'UTC'),
  date_trunc('month', now() AT TIME ZONE 'UTC') + interval '24 months',
  interval '1 month') AS m;
--> statement-breakpoint
INSERT INTO audit_events (id, recorded_at, actor_id, actor_type, actor_role, source_ip, action, resource_type,
  resource_id, patient_ref, purpose_of_use, outcome, request_id, workflow_id, fields_disclosed, prev_hash, hash)
SELECT id, recorded_at, actor_id, actor_type, actor_role, source_ip, action, resource_type,
  resource_id, patient_ref, purpose_of_use, outcome, request_id, workflow_id, fields_disclosed, prev_hash, hash
FROM audit_events_unpartitioned;
--> statement-breakpoint
DROP TABLE audit_events_unpartitioned;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
--> statement-breakpoint
REVOKE ALL ON audit_events FROM ptflow_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO ptflow_app;
--> statement-breakpoint
-- What retention dropped: one row per dropped partition with the last id and hash it held, where the verifier
-- resumes the chain (the first remaining row's prev_hash is that hash). Append-only like the log itself.
CREATE TABLE audit_retention_anchors (
  id bigserial PRIMARY KEY NOT NULL,
  dropped_at timestamp with time zone DEFAULT now() NOT NULL,
  partition_name text NOT NULL,
  range_from timestamp with time zone NOT NULL,
  range_to timestamp with time zone NOT NULL,
  row_count bigint NOT NULL,
  first_id bigint,
  last_id bigint NOT NULL,
  last_hash text NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER audit_retention_anchors_append_only
  BEFORE UPDATE OR DELETE ON audit_retention_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_retention_anchors_no_truncate
  BEFORE TRUNCATE ON audit_retention_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
--> statement-breakpoint
REVOKE ALL ON audit_retention_anchors FROM ptflow_app;
--> statement-breakpoint
GRANT SELECT ON audit_retention_anchors TO ptflow_app;
