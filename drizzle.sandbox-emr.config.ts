// drizzle-kit config of the sandbox EMR's own schema and migration set (see db/migrate.ts migrationSets).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './connectors/emr/sandbox/schema.ts',
  out: './connectors/emr/sandbox/migrations',
  schemaFilter: ['sandbox_emr'],
});
