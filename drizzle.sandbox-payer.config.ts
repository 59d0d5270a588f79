import { defineConfig } from 'drizzle-kit';

// The payer connector's own migration set: control numbers (schema `payer`) and the sandbox payer's state
// (schema `sandbox_payer`). Registered in db/migrate.ts with its own journal table.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./connectors/payer/db/schema.ts', './connectors/payer/sandbox/schema.ts'],
  out: './connectors/payer/migrations',
  schemaFilter: ['payer', 'sandbox_payer'],
});
