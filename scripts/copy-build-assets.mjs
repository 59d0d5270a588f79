// Files tsc does not emit but the compiled app needs: the committed SQL migrations.
import fs from 'node:fs';

fs.cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
