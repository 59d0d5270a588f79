// The one builder of workflow ids. Workflow ids are stored unencrypted by Temporal and shown in its UI, so
// they are made only of a process kind and an opaque UUID — never a name, date of birth or member id.
export const processKinds = [
  'onboarding',
  'auth',
  'claim',
  'poc',
  'pocsig',
  'task',
  'event',
  'report',
  'series',
  'missed',
  'waitfill',
] as const;
export type ProcessKindPrefix = (typeof processKinds)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function workflowId(kind: ProcessKindPrefix, id: string): string {
  if (!processKinds.includes(kind)) throw new Error('unknown process kind');
  if (!isUuid(id)) throw new Error('workflow ids are built from UUIDs only');
  return `${kind}:${id}`;
}

/** Inverse of workflowId; undefined for anything that is not one of ours. */
export function parseWorkflowId(value: string): { kind: ProcessKindPrefix; id: string } | undefined {
  const [kind, id, ...rest] = value.split(':');
  if (rest.length > 0 || !kind || !id) return undefined;
  if (!(processKinds as readonly string[]).includes(kind) || !isUuid(id)) return undefined;
  return { kind: kind as ProcessKindPrefix, id };
}
