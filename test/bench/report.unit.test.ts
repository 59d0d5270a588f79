import { describe, expect, it } from 'vitest';
import { renderReport } from '../../bench/report.js';

describe('BENCHMARKS.md writer', () => {
  it('prints every figure as min/median/max with the ratio against the baseline and the verdict on each aim', () => {
    const md = renderReport({
      environment: {
        date: '2026-11-27T00:00:00.000Z',
        command: 'npm run bench',
        host: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, platform: 'linux 6' },
        versions: { node: 'v20.20.2' },
      },
      billing: {
        environment: { node: 'v20.20.2', runs: 7 },
        visitsPerSecond: { min: 9000, median: 12000, max: 13000, visitsPerRun: 2000 },
        parse835: {
          documentBytes: 200 * 1024,
          claimsPerDocument: 600,
          ours: { min: 50, median: 60, max: 70 },
          nodeX12: { min: 20, median: 24, max: 30 },
          oursMBps: 11.7,
          nodeX12MBps: 4.7,
          speedup: 2.5,
        },
      },
    });
    expect(md).toContain(
      '| Visits coded + scrubbed + 837P serialized (2,000 visits per run) | 9,000 | 12,000 | 13,000 | visits/s |',
    );
    expect(md).toContain('**ratio 2.5×** (aim ≥ 3×: **not met**)');
    expect(md).toContain('aim ≥ 10,000/s on one core: met');
    expect(md).toContain('2 × Test CPU, 24 GiB memory');
  });
});
