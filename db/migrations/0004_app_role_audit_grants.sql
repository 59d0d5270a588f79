-- The application's database role (SEC-AUD-2). Runtime connections (API, worker) should log in as a user that
-- is a member of ptflow_app and does NOT own the tables: owners and superusers bypass grants, so only a
-- non-owner role makes "the application may only insert into and read the audit log" true. Migrations keep
-- running as the owner. ptflow_app cannot log in itself (NOLOGIN); deployments create the login user and
-- `GRANT ptflow_app TO <login user>` (see temporal-docker). Roles are cluster-wide: another database on the
-- same server (tests clone one per file) may have created it already, possibly at the same moment.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ptflow_app') THEN
    CREATE ROLE ptflow_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO ptflow_app;
--> statement-breakpoint
-- Ordinary tables: read and write. Later migrations by the same owner inherit this through the defaults below.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ptflow_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ptflow_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ptflow_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ptflow_app;
--> statement-breakpoint
-- The audit log: append and read only. The trigger of 0001 additionally rejects UPDATE/DELETE/TRUNCATE for
-- everyone, owner included; these grants make the app role fail earlier, with a permission error.
REVOKE ALL ON audit_events FROM ptflow_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO ptflow_app;
--> statement-breakpoint
-- Entries are never written straight by id: appendAudit takes nextval under the chain lock.
GRANT USAGE ON SEQUENCE audit_events_id_seq TO ptflow_app;
