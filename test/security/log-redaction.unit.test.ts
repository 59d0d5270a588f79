// pino redaction of the API and the worker loggers (SEC-LOG-1, issue #7 item 6): authorization headers, cookies,
// API keys, bodies and patient fields never reach a log line, whether a handler logs them on purpose or by
// accident; requests are logged by route pattern, never by raw URL (ids, query strings); failures are logged by
// name and type. The API is the real buildApp (its plugins, error handler and logger options) with stand-ins
// for the database and Temporal that no request here reaches.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { setLogDestination } from '../../api/logger.js';
import { createLogger } from '../../cli/logger.js';
import type { Database } from '../../db/connection.js';
import { PinoTemporalLogger } from '../../temporal/logger.js';
import { lineSink, newCanary } from './canary.js';

const CANARY = newCanary();
const ID = '3f0c1d9e-8a44-4c8e-9d55-0b6f3f1a7c21';
const patient = {
  name: { given: [`Ana ${CANARY}`], family: `Rivera ${CANARY}` },
  dob: '1961-02-03',
  dateOfBirth: '1961-02-03',
  memberId: `SBX-${CANARY}`,
  email: `ana.${CANARY}@example.com`,
  phone: '+13125550177',
};

const sink = lineSink();
let app: FastifyInstance;

beforeAll(async () => {
  setLogDestination(sink.stream);
  app = await buildApp({
    logLevel: 'trace',
    db: {} as Database,
    temporal: {} as Client,
    cursorKey: Buffer.alloc(32, 1),
    readiness: {},
  });
  // Test routes inside the real app: handlers that log what a careless handler might.
  app.post('/v1/test-log/:id', { config: { public: true } }, async (req) => {
    const body = req.body as Record<string, unknown>;
    req.log.info({ body }, 'logged the body');
    req.log.info({ patient: body.patient }, 'logged the patient');
    req.log.info({ demographics: body.patient, memberId: patient.memberId }, 'logged top-level fields');
    req.log.info({ context: { patient: body.patient, memberId: patient.memberId } }, 'logged nested');
    req.log.info({ coverage: { holder: { memberId: patient.memberId, dob: patient.dob } } }, 'deep');
    req.log.info({ req }, 'logged the request');
    return { ok: true };
  });
  app.get('/v1/test-throw/:id', { config: { public: true } }, async () => {
    throw new Error(`lookup failed for ${patient.name.family}`);
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  setLogDestination(undefined);
});
afterEach(() => {
  sink.lines.length = 0;
});

const parsed = () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const secretHeaders = {
  authorization: `Bearer ${CANARY}-token`,
  cookie: `session=${CANARY}`,
  'x-api-key': `${CANARY}-key`,
};

describe('API logger', () => {
  it('logs requests by route pattern: no URL, id, query string, header or remote address', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/test-log/${ID}?name=${CANARY}&memberId=${CANARY}`,
      headers: { ...secretHeaders, 'content-type': 'application/json' },
      payload: { patient },
    });
    expect(res.statusCode).toBe(200);
    const lines = parsed();
    const incoming = lines.find((l) => l.msg === 'incoming request')!;
    expect(incoming.req).toEqual({
      method: 'POST',
      route: '/v1/test-log/:id',
      requestId: res.headers['x-request-id'],
    });
    const completed = lines.find((l) => l.msg === 'request completed')!;
    expect(completed.res).toEqual({ statusCode: 200 });
    expect(lines.find((l) => l.msg === 'logged the request')!.req).toMatchObject({
      route: '/v1/test-log/:id',
    });
    const all = sink.lines.join('\n');
    expect(all).not.toContain(ID);
    expect(all).not.toContain('?');
    expect(all).not.toContain('127.0.0.1');
    expect(all).not.toContain(CANARY);
  });

  it('redacts bodies and patient fields wherever a handler puts them', async () => {
    await app.inject({
      method: 'POST',
      url: `/v1/test-log/${ID}`,
      headers: { 'content-type': 'application/json' },
      payload: { patient },
    });
    const byMsg = Object.fromEntries(parsed().map((l) => [l.msg, l]));
    expect(byMsg['logged the body']!.body).toBe('[redacted]');
    expect(byMsg['logged the patient']!.patient).toBe('[redacted]');
    expect(byMsg['logged top-level fields']).toMatchObject({
      demographics: '[redacted]',
      memberId: '[redacted]',
    });
    expect(byMsg['logged nested']!.context).toEqual({ patient: '[redacted]', memberId: '[redacted]' });
    expect(byMsg.deep!.coverage).toEqual({ holder: { memberId: '[redacted]', dob: '[redacted]' } });
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });

  it('logs neither the path nor the query of an unmatched URL', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/patients/${CANARY}?q=${CANARY}`,
      headers: secretHeaders,
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(CANARY);
    expect(parsed().find((l) => l.msg === 'incoming request')!.req).toMatchObject({ route: 'unmatched' });
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });

  it('logs a 5xx by error id and name; the body is generic and carries the same ids', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/test-throw/${ID}` });
    expect(res.statusCode).toBe(500);
    const body = res.json() as { errorId: string; instance: string; detail: string };
    expect(body.detail).toBe('An internal error occurred.');
    expect(res.body).not.toContain(CANARY);
    const line = parsed().find((l) => l.msg === 'unhandled error')!;
    expect(line).toMatchObject({ errorId: body.errorId, reqId: body.instance, errName: 'Error' });
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });

  it('keeps credentials out of the log when authentication fails', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/tasks?cursor=${CANARY}`,
      headers: secretHeaders,
    });
    expect(res.statusCode).toBe(401);
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });
});

describe('worker logger (Temporal runtime through pino, same options and destination)', () => {
  it('redacts patient fields in log metadata and reduces failures to class and type', () => {
    const logger = new PinoTemporalLogger(createLogger('trace', 'temporal'));
    logger.info('Activity started', {
      activityType: 'registerPatient',
      workflowId: `onboarding:${ID}`,
      patient,
      demographics: patient,
      memberId: patient.memberId,
      input: { patient, coverage: { memberId: patient.memberId } },
    });
    logger.warn('Activity failed', {
      activityType: 'verifyEligibility',
      error: ApplicationFailure.nonRetryable(`271 for ${patient.memberId}`, 'PayerContractViolation'),
    });
    logger.error('Workflow failed', { failure: new Error(`no slot for ${patient.name.family}`) });
    const lines = parsed();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      name: 'temporal',
      msg: 'Activity started',
      workflowId: `onboarding:${ID}`,
      patient: '[redacted]',
      demographics: '[redacted]',
      memberId: '[redacted]',
      input: { patient: '[redacted]', coverage: { memberId: '[redacted]' } },
    });
    expect(lines[1]).toMatchObject({
      error: { class: 'ApplicationFailure', type: 'PayerContractViolation' },
    });
    expect(lines[2]).toMatchObject({ failure: { class: 'Error' } });
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });

  it('uses the same destination and redaction for connector loggers (createLogger)', () => {
    createLogger('info', 'messaging').info({ to: { phone: patient.phone, email: patient.email } }, 'sent');
    const [line] = parsed();
    expect(line).toMatchObject({ name: 'messaging', to: { phone: '[redacted]', email: '[redacted]' } });
    expect(sink.lines.join('\n')).not.toContain(CANARY);
  });
});
