// Minimum-necessary responses (SEC-AC-6, 45 CFR 164.502(b)): a route's response schema can be a set of views
// keyed by role. Each view is a zod object schema; serialising through it keeps only the fields that role is
// allowed to see (zod objects strip unknown keys — an allow-list, never a deny-list), at every nesting level.
// OpenAPI documents the set as `anyOf` with one titled variant per distinct view and the roles it serves.
import { z } from 'zod';
import type { Role } from '../auth/principal.js';

export interface RoleViews {
  /** Name of the resource view, used in OpenAPI titles and error messages. */
  readonly name: string;
  /** The schema each role's response is serialised through. */
  readonly byRole: Readonly<Partial<Record<Role, z.ZodType>>>;
}

const viewSets = new WeakMap<object, RoleViews>();

/**
 * Declares the per-role views of one response: what the route puts under `schema.response[status]`. Handlers
 * keep returning the full result (hence the `Full` type); the serializer narrows it to the caller's view.
 */
export function roleViews<Full extends z.ZodObject>(
  name: string,
  _full: Full,
  views: Partial<Record<Role, z.ZodObject>>,
): Full {
  // Roles sharing one schema object share one documented variant.
  const groups = new Map<z.ZodObject, Role[]>();
  for (const [role, schema] of Object.entries(views) as [Role, z.ZodObject][]) {
    groups.set(schema, [...(groups.get(schema) ?? []), role]);
  }
  const byRole: Partial<Record<Role, z.ZodType>> = {};
  const variants: z.ZodObject[] = [];
  for (const [schema, roles] of groups) {
    const documented = schema.meta({
      title: `${name} (${roles.join(', ')})`,
      description: `The fields returned to ${roles.join(', ')}; anything else is removed before sending.`,
      'x-roles': roles,
    });
    for (const role of roles) byRole[role] = documented;
    variants.push(documented);
  }
  const [first, ...rest] = variants;
  if (!first) throw new Error(`${name}: a view set needs at least one role`);
  const documented = rest.length === 0 ? first : z.union([first, ...rest]);
  viewSets.set(documented, { name, byRole });
  // Typed as the full schema so the type provider checks handlers against the full result.
  return documented as unknown as Full;
}

/** The view set behind a response schema, if it is one. */
export function viewsOf(schema: unknown): RoleViews | undefined {
  return typeof schema === 'object' && schema !== null ? viewSets.get(schema) : undefined;
}

/** What `role` may see of `payload`: encoded through the role's view (unknown keys dropped), or an error. */
export function shapeFor(views: RoleViews, role: Role, payload: unknown): unknown {
  const view = views.byRole[role];
  if (!view) throw new Error(`${views.name} has no view for role ${role}`);
  return z.encode(view, payload as never);
}
