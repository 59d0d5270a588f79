// Minimum-necessary responses (45 CFR 164.502(b)): a route's response schema can be a set of views
// keyed by role. Each view is a zod object schema; serialising through it keeps only the fields that role is
// allowed to see (zod objects strip unknown keys — an allow-list, never a deny-list), at every nesting level.
// A role may instead be marked `breakGlassOnly`: it sees nothing (403) unless it holds an active break-glass
// grant (emergency access). Any role that can break glass gets the full view while its grant lasts.
// OpenAPI documents the set as `anyOf` with one titled variant per distinct view and the roles it serves.
import { z } from 'zod';
import type { Role } from '../auth/principal.js';

/** Roles that may open a break-glass grant (emergency access to full views). */
export const breakGlassRoles = ['admin', 'therapist'] as const satisfies readonly Role[];
export type BreakGlassRole = (typeof breakGlassRoles)[number];

export function canBreakGlass(role: Role): role is BreakGlassRole {
  return (breakGlassRoles as readonly Role[]).includes(role);
}

/** Marks a role whose view is empty without break-glass: the route answers it 403 until a grant is active. */
export const breakGlassOnly = 'break-glass-only' as const;

export interface RoleViews {
  /** Name of the resource view, used in OpenAPI titles and error messages. */
  readonly name: string;
  /** The schema each role's response is serialised through (roles in `breakGlassOnly` have none). */
  readonly byRole: Readonly<Partial<Record<Role, z.ZodType>>>;
  /** Roles admitted only under an active break-glass grant. */
  readonly breakGlassOnly: readonly BreakGlassRole[];
  /** The full response: what a role holding an active break-glass grant receives. */
  readonly full: z.ZodType;
}

const viewSets = new WeakMap<object, RoleViews>();

/**
 * Declares the per-role views of one response: what the route puts under `schema.response[status]`. Handlers
 * keep returning the full result (hence the `Full` type); the serializer narrows it to the caller's view.
 */
export function roleViews<Full extends z.ZodObject>(
  name: string,
  full: Full,
  views: Partial<Record<Role, z.ZodObject | typeof breakGlassOnly>>,
): Full {
  // Roles sharing one schema object share one documented variant.
  const groups = new Map<z.ZodObject, Role[]>();
  const gated: BreakGlassRole[] = [];
  for (const [role, schema] of Object.entries(views) as [Role, z.ZodObject | typeof breakGlassOnly][]) {
    if (schema === breakGlassOnly) {
      if (!canBreakGlass(role)) throw new Error(`${name}: ${role} cannot break glass`);
      gated.push(role);
    } else {
      groups.set(schema, [...(groups.get(schema) ?? []), role]);
    }
  }
  const byRole: Partial<Record<Role, z.ZodType>> = {};
  const variants: z.ZodObject[] = [];
  let documentedFull: z.ZodObject | undefined;
  for (const [schema, roles] of groups) {
    const documented = schema.meta({
      title: `${name} (${roles.join(', ')})`,
      description:
        `The fields returned to ${roles.join(', ')}; anything else is removed before sending.` +
        (schema === full ? ' Also what a role holding an active break-glass grant receives.' : ''),
      'x-roles': roles,
    });
    for (const role of roles) byRole[role] = documented;
    if (schema === full) documentedFull = documented;
    variants.push(documented);
  }
  if (!documentedFull) {
    documentedFull = full.meta({
      title: `${name} (break-glass)`,
      description: `The full response, returned only while the caller (${breakGlassRoles.join(' or ')}) holds an active break-glass grant; every such response is audited with purpose ETREAT.`,
      'x-roles': [...breakGlassRoles],
    });
    variants.push(documentedFull);
  }
  const [first, ...rest] = variants;
  if (!first || groups.size + gated.length === 0)
    throw new Error(`${name}: a view set needs at least one role`);
  const documented = rest.length === 0 ? first : z.union([first, ...rest]);
  viewSets.set(documented, { name, byRole, breakGlassOnly: gated, full: documentedFull });
  // Typed as the full schema so the type provider checks handlers against the full result.
  return documented as unknown as Full;
}

/** The view set behind a response schema, if it is one. */
export function viewsOf(schema: unknown): RoleViews | undefined {
  return typeof schema === 'object' && schema !== null ? viewSets.get(schema) : undefined;
}

/** Whether `role` is admitted to the views at all (with its own view, or through break-glass). */
export function hasViewFor(views: RoleViews, role: Role): boolean {
  return views.byRole[role] !== undefined || (views.breakGlassOnly as readonly Role[]).includes(role);
}

/**
 * What `role` may see of `payload`: encoded through the role's view (unknown keys dropped) — or through the
 * full view when `breakGlass` says the caller holds an active grant — or an error.
 */
export function shapeFor(
  views: RoleViews,
  role: Role,
  payload: unknown,
  options: { breakGlass?: boolean } = {},
): unknown {
  if (options.breakGlass) {
    if (!canBreakGlass(role)) throw new Error(`${role} cannot break glass`);
    return z.encode(views.full, payload as never);
  }
  const view = views.byRole[role];
  if (!view) throw new Error(`${views.name} has no view for role ${role} without break-glass`);
  return z.encode(view, payload as never);
}
