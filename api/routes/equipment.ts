// Equipment over REST (issue 18 part 3): the practice's devices per location (an AlterG treadmill, a Biodex
// system …) and each device's weekly maintenance windows. Visits that need a device are booked only when one
// is free; the nightly equipment-maintenance schedule turns the windows into reservations 100 days ahead.
// Tenancy is the caller's practice; devices are not PHI. Bad input answers problem+json naming the field.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditChange, type AuditActor } from '../audit.js';
import type { Database } from '../../db/connection.js';
import { createMaintenanceRuleRepository } from '../../db/repositories/equipment-maintenance-rules.js';
import { createReservationRepository } from '../../db/repositories/equipment-reservations.js';
import { createEquipmentRepository, type EquipmentView } from '../../db/repositories/equipment.js';
import { IsoDateSchema } from '../../domain/model/common.js';
import { EQUIPMENT_KINDS, type MaintenanceRule } from '../../domain/scheduling/equipment.js';
import { principalOf } from '../auth/plugin.js';
import { HttpProblem, problem } from '../problem.js';

export interface EquipmentRouteDeps {
  db: Database;
}

const TAG = 'practice';
const ADMIN = ['admin'] as const;
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

export const EquipmentInputSchema = z.strictObject({
  locationId: z.uuid(),
  kind: z.enum(EQUIPMENT_KINDS),
  name: z.string().trim().min(1).max(80),
  /** Minutes a visit holds the device; absent = the kind's default (domain/scheduling/equipment.ts). */
  sessionMinutes: z.number().int().min(5).max(240).optional(),
});

export const MaintenanceRulesSchema = z.strictObject({
  rules: z
    .array(
      z
        .strictObject({
          weekday: z.number().int().min(0).max(6),
          start: clock,
          end: clock,
          effectiveFrom: IsoDateSchema,
          effectiveTo: IsoDateSchema.nullable().default(null),
          /** Where the window comes from: the service contract, the maker's schedule … */
          source: z.string().trim().min(1).max(200),
        })
        .refine((r) => r.start < r.end, { message: 'must be after start', path: ['end'] })
        .refine((r) => r.effectiveTo === null || r.effectiveFrom <= r.effectiveTo, {
          message: 'must not be before effectiveFrom',
          path: ['effectiveTo'],
        }),
    )
    .max(28),
});

const EquipmentViewSchema = z.object({
  id: z.uuid(),
  locationId: z.uuid(),
  kind: z.enum(EQUIPMENT_KINDS),
  name: z.string(),
  sessionMinutes: z.number().int().nullable(),
  active: z.boolean(),
});

const MaintenanceViewSchema = z.object({
  equipmentId: z.uuid(),
  rules: z.array(
    z.object({
      ruleId: z.uuid(),
      weekday: z.number().int(),
      start: z.string(),
      end: z.string(),
      effectiveFrom: z.string(),
      effectiveTo: z.string().nullable(),
      source: z.string(),
    }),
  ),
});

export type EquipmentInput = z.output<typeof EquipmentInputSchema>;
export type MaintenanceRulesInput = z.output<typeof MaintenanceRulesSchema>;

/**
 * Adding a device and replacing its maintenance windows, audited: the one code path of the REST routes below and
 * the console's equipment page. Another practice's location or device is a 404 problem (never a hint).
 */
export function createEquipmentService(db: Database) {
  const devices = createEquipmentRepository(db);
  const rules = createMaintenanceRuleRepository(db);
  const reservations = createReservationRepository(db);
  return {
    async add(actor: AuditActor, input: EquipmentInput): Promise<EquipmentView> {
      const created = await devices.create(actor.principal.practiceId, input);
      // Another practice's location is answered like an unknown one (tenancy: never 403, never a hint).
      if (!created) throw new HttpProblem(problem(404, 'No such location.'));
      await auditChange(db, actor, {
        action: 'C',
        resourceType: 'equipment',
        resourceId: created.id,
        fields: Object.keys(input),
      });
      return created;
    },

    async replaceMaintenance(
      actor: AuditActor,
      equipmentId: string,
      input: MaintenanceRulesInput,
    ): Promise<{ equipmentId: string; rules: MaintenanceRule[] }> {
      const practiceId = actor.principal.practiceId;
      const device = await devices.get(practiceId, equipmentId);
      if (!device) throw new HttpProblem(problem(404, 'No such equipment.'));
      const saved = await rules.replace(practiceId, device.id, input.rules);
      // No rules left: nothing will renew the device's future windows, so they are freed now.
      if (saved.length === 0) await reservations.releaseStaleMaintenance(device.id, new Date(), []);
      await auditChange(db, actor, {
        action: 'U',
        resourceType: 'equipment_maintenance',
        resourceId: device.id,
        fields: ['rules'],
      });
      return { equipmentId: device.id, rules: saved };
    },
  };
}

export const equipmentRoutes = (deps: EquipmentRouteDeps): FastifyPluginAsyncZod =>
  async function routes(app) {
    const devices = createEquipmentRepository(deps.db);
    const service = createEquipmentService(deps.db);
    const actor = (req: FastifyRequest): AuditActor => ({
      principal: principalOf(req),
      requestId: req.id,
      ip: req.ip,
    });

    app.get(
      '/v1/practice/equipment',
      {
        config: { roles: ['admin', 'front_desk', 'therapist'] },
        schema: {
          operationId: 'listPracticeEquipment',
          tags: [TAG],
          summary: "The practice's bookable equipment per location",
          response: { 200: z.object({ items: z.array(EquipmentViewSchema) }) },
        },
      },
      async (req) => ({ items: await devices.list(principalOf(req).practiceId) }),
    );

    app.post(
      '/v1/practice/equipment',
      {
        config: { roles: ADMIN, idempotent: true },
        schema: {
          operationId: 'addPracticeEquipment',
          tags: [TAG],
          summary: 'Add a device to a location (visits that need its kind book it as a resource)',
          body: EquipmentInputSchema,
          response: { 201: EquipmentViewSchema },
        },
      },
      async (req, reply) => reply.code(201).send(await service.add(actor(req), req.body)),
    );

    app.put(
      '/v1/practice/equipment/:id/maintenance',
      {
        config: { roles: ADMIN },
        schema: {
          operationId: 'putEquipmentMaintenance',
          tags: [TAG],
          summary:
            "Replace a device's weekly maintenance windows (reserved ahead by the equipment-maintenance schedule)",
          params: z.strictObject({ id: z.uuid() }),
          body: MaintenanceRulesSchema,
          response: { 200: MaintenanceViewSchema },
        },
      },
      async (req) => {
        const saved = await service.replaceMaintenance(actor(req), req.params.id, req.body);
        return {
          equipmentId: saved.equipmentId,
          rules: saved.rules.map((r) => ({
            ruleId: r.ruleId,
            weekday: r.weekday,
            start: r.start,
            end: r.end,
            effectiveFrom: r.effectiveFrom,
            effectiveTo: r.effectiveTo,
            source: r.source,
          })),
        };
      },
    );
  };
