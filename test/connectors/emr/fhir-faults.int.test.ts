// FT-3 / WF-3 / SEC-INT-3 / SEC-TX-3: the FHIR transport against a scripted HTTP server on 127.0.0.1.
// Retryable vs non-retryable classification, Retry-After honoured inside the budget, no redirect followed,
// and no PHI canary in any error message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emrErrorToFailure } from '../../../connectors/emr/failure.js';
import { bearerAuth, FhirEmr, FhirTransport, genericProfile } from '../../../connectors/emr/fhir/index.js';
import { EmrContractViolation, EmrError, EmrTransportError } from '../../../connectors/emr/types.js';

type Script = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let script: Script[] = [];
const hits: string[] = [];
let server: http.Server;
let base: string;

const canaryPatient = JSON.stringify({
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'ZZCANARY-4', given: ['ZZCANARY-4'] }],
  birthDate: '1970-01-01',
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const next = script.shift();
    if (!next) {
      res.writeHead(599).end();
      return;
    }
    next(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  script = [];
  hits.length = 0;
});

const json =
  (status: number, body: string, headers: Record<string, string> = {}): Script =>
  (_q, res) =>
    res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers }).end(body);

function emrWith(sleeps: number[], retry = {}) {
  const transport = new FhirTransport({
    baseUrl: base,
    auth: bearerAuth('t'),
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, budgetMs: 10_000, ...retry },
    sleep: async (ms) => void sleeps.push(ms),
    maxResponseBytes: 64 * 1024,
  });
  return new FhirEmr({ transport, profile: genericProfile });
}

async function failure(p: Promise<unknown>): Promise<EmrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EmrError);
    expect(String((err as Error).message)).not.toContain('ZZCANARY');
    expect(String((err as Error).stack)).not.toContain('ZZCANARY');
    return err as EmrError;
  }
  throw new Error('expected a failure');
}

describe('FHIR transport faults', () => {
  it('429 with Retry-After, then success: waits what the server asked and succeeds', async () => {
    const sleeps: number[] = [];
    script = [json(429, '', { 'retry-after': '2' }), json(200, canaryPatient)];
    const p = await emrWith(sleeps).findPatient({ emrPatientId: 'p1' });
    expect(p?.emrPatientId).toBe('p1');
    expect(sleeps).toEqual([2000]);
  });

  it('500 until the attempts run out: retryable EmrTransportError', async () => {
    const sleeps: number[] = [];
    script = Array.from({ length: 4 }, () => json(500, '{"oops":"ZZCANARY-4"}'));
    const err = await failure(emrWith(sleeps).findPatient({ emrPatientId: 'p1' }));
    expect(err).toBeInstanceOf(EmrTransportError);
    expect(err.retryable).toBe(true);
    expect(hits).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    const f = emrErrorToFailure(err) as { type: string; nonRetryable: boolean };
    expect(f).toMatchObject({ type: 'EmrTransportError', nonRetryable: false });
  });

  it('503 with a Retry-After beyond the budget: hands the delay to Temporal instead of sleeping', async () => {
    const sleeps: number[] = [];
    script = [json(503, '', { 'retry-after': '3600' })];
    const err = await failure(emrWith(sleeps).findPatient({ emrPatientId: 'p1' }));
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
    expect(emrErrorToFailure(err)).toMatchObject({ nextRetryDelay: 3_600_000 });
  });

  it('malformed JSON: non-retryable EmrContractViolation without the canary', async () => {
    script = [json(200, `${canaryPatient.slice(0, -5)}`)];
    const err = await failure(emrWith([]).findPatient({ emrPatientId: 'p1' }));
    expect(err).toBeInstanceOf(EmrContractViolation);
    expect(err.retryable).toBe(false);
    expect(emrErrorToFailure(err)).toMatchObject({ type: 'EmrContractViolation', nonRetryable: true });
  });

  it('wrong shape (a field of the wrong type): EmrContractViolation without the canary', async () => {
    script = [json(200, JSON.stringify({ ...JSON.parse(canaryPatient), birthDate: 'ZZCANARY-4' }))];
    expect(await failure(emrWith([]).findPatient({ emrPatientId: 'p1' }))).toBeInstanceOf(
      EmrContractViolation,
    );
  });

  it('oversized body (declared and streamed): EmrContractViolation', async () => {
    const big = JSON.stringify({ ...JSON.parse(canaryPatient), text: { div: 'x'.repeat(200_000) } });
    script = [json(200, big)];
    expect(await failure(emrWith([]).findPatient({ emrPatientId: 'p1' }))).toBeInstanceOf(
      EmrContractViolation,
    );
    script = [
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.write(big.slice(0, 100_000));
        res.end(big.slice(100_000));
      },
    ];
    expect(await failure(emrWith([]).findPatient({ emrPatientId: 'p1' }))).toBeInstanceOf(
      EmrContractViolation,
    );
  });

  it('302: failure, and the redirect target is never requested', async () => {
    script = [(_q, res) => res.writeHead(302, { location: `${base}/elsewhere` }).end()];
    const err = await failure(emrWith([]).findPatient({ emrPatientId: 'p1' }));
    expect(err).toBeInstanceOf(EmrContractViolation);
    expect(err.retryable).toBe(false);
    expect(hits).toEqual(['/fhir/Patient/p1']);
  });

  it('a Bundle next link pointing outside the base URL is refused', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: 'http://169.254.169.254/latest' }],
      entry: [],
    };
    script = [json(200, JSON.stringify(bundle))];
    expect(await failure(emrWith([]).listCoverages('p1'))).toBeInstanceOf(EmrContractViolation);
    expect(hits).toHaveLength(1);
  });

  it('connection reset: retried, then retryable', async () => {
    const sleeps: number[] = [];
    script = Array.from({ length: 2 }, () => (req: http.IncomingMessage) => req.socket.destroy());
    const err = await failure(emrWith(sleeps, { maxAttempts: 2 }).findPatient({ emrPatientId: 'p1' }));
    expect(err).toBeInstanceOf(EmrTransportError);
    expect(hits).toHaveLength(2);
  });
});
