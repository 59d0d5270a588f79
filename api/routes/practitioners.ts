// The practitioner directory over REST: who may be named as the rendering provider (837P loop 2310B) on the
// practice's claims. Rows are synced from the EMR's Practitioner resources; an admin adds or corrects one here
// (and that row then wins over later syncs). A claim whose rendering NPI is not in the directory is held by the
// scrubber (RENDERING_PROVIDER_UNKNOWN) until it is. Provider names and NPIs are public data (NPPES), not PHI.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/connection.js';
import { createPractitionerRepository } from '../../db/repositories/practitioners.js';
import { isValidNpi } from '../../domain/codes/npi.js';
import { principalOf } from '../auth/plugin.js';
import { HttpProblem, problem } from '../problem.js';

const npi = z.string().regex(/^\d{10}$/);
const name = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[A-Za-z0-9 .'-]+$/);
const entry = z.object({
  npi,
  lastName: z.string(),
  firstName: z.string().optional(),
  taxonomy: z.string().optional(),
  active: z.boolean(),
  source: z.enum(['emr', 'admin']),
});

export const practitionerRoutes = (deps: { db: Database }): FastifyPluginAsyncZod =>
  async function routes(app) {
    const repo = createPractitionerRepository(deps.db);
    app.get(
      '/v1/practitioners',
      {
        config: { roles: ['admin', 'biller'] },
        schema: {
          operationId: 'listPractitioners',
          tags: ['practitioners'],
          summary: 'The practice practitioner directory (rendering providers of its claims)',
          response: { 200: z.object({ items: z.array(entry) }) },
        },
      },
      async (req) => ({ items: await repo.list(principalOf(req).practiceId) }),
    );

    app.put(
      '/v1/practitioners/:npi',
      {
        config: { roles: ['admin'] },
        schema: {
          operationId: 'putPractitioner',
          tags: ['practitioners'],
          summary: 'Add or correct a practitioner (kept over later EMR syncs)',
          params: z.strictObject({ npi }),
          body: z.strictObject({
            lastName: name,
            firstName: name.optional(),
            taxonomy: z
              .string()
              .regex(/^[0-9A-Z]{9}X$/)
              .optional(),
            active: z.boolean().optional(),
          }),
          response: { 200: entry },
        },
      },
      async (req) => {
        if (!isValidNpi(req.params.npi)) {
          throw new HttpProblem(
            problem(422, 'The NPI fails the check-digit test.', { errors: [{ pointer: '/npi' }] }),
          );
        }
        return repo.upsert(principalOf(req).practiceId, {
          npi: req.params.npi,
          lastName: req.body.lastName.toUpperCase(),
          ...(req.body.firstName ? { firstName: req.body.firstName.toUpperCase() } : {}),
          ...(req.body.taxonomy ? { taxonomy: req.body.taxonomy } : {}),
          ...(req.body.active !== undefined ? { active: req.body.active } : {}),
        });
      },
    );
  };
