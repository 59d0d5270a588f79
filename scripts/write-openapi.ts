// `npm run openapi`: writes openapi.json (for client generators) from the route schemas.
import fs from 'node:fs';
import { openApiDocument } from '../api/openapi-document.js';

const doc = await openApiDocument();
fs.writeFileSync('openapi.json', `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`openapi.json written (${Object.keys((doc.paths ?? {}) as object).length} paths)\n`);
