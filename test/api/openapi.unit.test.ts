// API9 (inventory): the committed openapi.json is what the code serves, and every registered /v1 route is in it.
// Regenerate with `npm run openapi`.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../api/openapi-document.js';

describe('openapi.json', () => {
  it('matches the document generated from the route schemas', async () => {
    const generated = await openApiDocument();
    const committed = JSON.parse(fs.readFileSync('openapi.json', 'utf8')) as Record<string, unknown>;
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
    const paths = Object.keys(generated.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/onboardings',
        '/v1/authorizations/{id}/visits',
        '/v1/claims',
        '/v1/processes',
        '/v1/tasks',
      ]),
    );
  });
});
