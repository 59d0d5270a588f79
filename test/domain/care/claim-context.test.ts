import { describe, it, expect } from 'vitest';
import { buildClaim } from '../../../domain/billing/build-claim.js';
import { codeVisit } from '../../../domain/billing/code-visit.js';
import { applyCertification } from '../../../domain/care/certification-record.js';
import {
  claimContext,
  newCareEpisode,
  recordProgressReport,
  recordTreatment,
  type CareEpisode,
} from '../../../domain/care/episode.js';
import { addDays } from '../../../domain/core/dates.js';
import { scrubClaim } from '../../../domain/scrubber/index.js';
import { profile, visit } from '../helpers.js';

// The plan of care's claim context fed to the real scrubber: the 11th treatment day without a progress report
// holds the claim (scenario 9), and the report releases it.
const medicare = profile('medicare-part-b');
const dos = '2025-07-01';
const v = visit({ dos, interventions: [{ code: '97110', minutes: 38, furnishedBy: 'PT' }] });
const claim = buildClaim(v, codeVisit(v, { profile: medicare, kx: { accruedAllowedCents: 0 } }), {
  id: 'claim-1',
  patientControlNumber: 'PCN-1',
  billingProvider: { npi: '1234567893' },
  referringProvider: { npi: '1245319599', taxonomyKind: 'physician' },
});
const scrub = (ep: CareEpisode) =>
  scrubClaim({
    claim,
    profile: medicare,
    asOf: '2025-07-02',
    visit: v,
    priorClaims: [],
    kxRequired: false,
    ...claimContext(ep),
  }).findings.map((f) => f.code);

describe('claimContext → scrubber', () => {
  const first = addDays(dos, -20);
  let ep = applyCertification(newCareEpisode({ firstTreatmentDate: first }), {
    kind: 'signature',
    signedDate: first,
  });
  // Evaluation + 9 visits = 10 treatment days before the DOS, which is the 11th.
  for (let i = 1; i <= 9; i++) ep = recordTreatment(ep, `v${i}`, addDays(first, i * 2));
  const eleventh = recordTreatment(ep, 'v10', dos);

  it('holds the claim while the progress report is overdue', () => {
    expect(scrub(eleventh)).toContain('PROGRESS_REPORT_OVERDUE');
  });
  it('releases it once the report is recorded', () => {
    const reported = recordProgressReport(eleventh, addDays(first, 18));
    expect(scrub(reported)).not.toContain('PROGRESS_REPORT_OVERDUE');
    expect(scrub(reported)).not.toContain('POC_NOT_CERTIFIED');
  });
  it('an uncertified POC past day 30 is reported to the scrubber too', () => {
    const unsigned = recordTreatment(newCareEpisode({ firstTreatmentDate: addDays(dos, -40) }), 'v', dos);
    expect(scrub(unsigned).some((c) => c.startsWith('POC_'))).toBe(true);
  });
});
