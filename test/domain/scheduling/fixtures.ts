// Shared builders for scheduling tests. Dates sit around the 2025 US DST changes in America/Chicago
// (CST −06:00 until 2025-03-09 02:00, CDT −05:00 until 2025-11-02 02:00) so window checks cross them.
import {
  EvaluationRequestSchema,
  type CandidateSlot,
  type EvaluationRequest,
  type EvaluationRequestInput,
} from '../../../domain/scheduling/index.js';

export const ZONE = 'America/Chicago';
export const DOWNTOWN = 'loc-downtown';
export const NORTHSIDE = 'loc-northside';

export function request(overrides: Partial<EvaluationRequestInput> = {}): EvaluationRequest {
  return EvaluationRequestSchema.parse({
    diagnosisCode: 'S83.511A',
    acuity: 'acute',
    timeZone: ZONE,
    earliestDate: '2025-03-03',
    latestDate: '2025-03-21',
    ...overrides,
  });
}

let n = 0;
export function slot(overrides: Partial<CandidateSlot> = {}): CandidateSlot {
  n += 1;
  return {
    slotId: `slot-${n}`,
    therapistId: 'th-ortho',
    discipline: 'PT',
    specialties: ['orthopedic', 'sports'],
    locationId: DOWNTOWN,
    start: '2025-03-04T15:00:00Z',
    minutesAvailable: 60,
    ...overrides,
  };
}
