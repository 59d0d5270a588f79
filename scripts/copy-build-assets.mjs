// Files tsc does not emit but the compiled app needs: the committed SQL migrations of every migration set.
import fs from 'node:fs';

for (const dir of ['db/migrations', 'connectors/emr/sandbox/migrations', 'connectors/payer/migrations']) {
  if (fs.existsSync(dir)) fs.cpSync(dir, `dist/${dir}`, { recursive: true });
}
