import { z } from 'zod';

/**
 * A scrubber or coding finding. `error` blocks submission; `warning` needs a look; `info` is recorded.
 * Messages carry no PHI: only codes, field paths and counts.
 */
export const SeveritySchema = z.enum(['error', 'warning', 'info']);

export const FindingSchema = z.object({
  code: z.string().regex(/^[A-Z0-9_]+$/),
  severity: SeveritySchema,
  /** Path into the claim/visit, e.g. `lines[2].modifiers` or `referringProvider.npi`. */
  field: z.string(),
  message: z.string(),
  /** How to fix it (for the "fix claim" task). */
  fix: z.string(),
});

export type Severity = z.infer<typeof SeveritySchema>;
export type Finding = z.infer<typeof FindingSchema>;

export function finding(
  code: string,
  severity: Severity,
  field: string,
  message: string,
  fix: string,
): Finding {
  return { code, severity, field, message, fix };
}

export function hasBlocking(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
