// The composition `ptflow dev` runs: startWorkerService with the dev sandbox payer's clearinghouse settings has
// the prior-authorization activities configured (a real 278 per request, no ConnectorNotConfigured), even
// without the EMR and messaging connectors. The patient mirror is encrypted with the dev data keys, as in dev.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../cli/config.js';
import { dataKeys, payloadKeyring } from '../../cli/keyrings.js';
import { startDevSandboxPayer } from '../../cli/payer.js';
import { installTemporalRuntime, startWorkerService, type WorkerService } from '../../cli/services.js';
import { SandboxPayerStore } from '../../connectors/payer/sandbox/store.js';
import { createCoverageRepository } from '../../db/repositories/coverages.js';
import { createPatientRepository } from '../../db/repositories/patients.js';
import { DEMO_PRACTICE_ID, seedDemoPractice } from '../../db/seed.js';
import { localDate } from '../../domain/core/zoned.js';
import { workflowId } from '../../domain/ids.js';
import { dataConverterFor } from '../../temporal/codec/data-converter.js';
import { connectClient, type TemporalClientHandle } from '../../temporal/client.js';
import { freePort } from '../../devtools/ports.js';
import {
  dischargeSignal,
  priorAuthorizationStatusQuery,
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';

const TZ = 'America/Chicago';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptflow-auth-composition-'));
let db: TestDatabase;
let config: Config;
let payer: Awaited<ReturnType<typeof startDevSandboxPayer>>;
let worker: WorkerService;
let temporal: TemporalClientHandle;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoPractice(db.db);
  config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    PTFLOW_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('composition'),
    // The schedules' ids are server-wide: only test/workflows/schedules.int.test.ts ensures them here.
    PTFLOW_SCHEDULES: 'off',
    SANDBOX_PAYER_PORT: String(await freePort()),
    WORKER_SHUTDOWN_GRACE_SECONDS: '2',
  });
  installTemporalRuntime(true, 'warn');
  payer = await startDevSandboxPayer(config, db.url);
  worker = await startWorkerService(config, db.url, {
    clearinghouse: payer.settings,
    workflowBundle: workflowBundle(),
  });
  temporal = await connectClient({
    address: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeyring(config)),
  });
});
afterAll(async () => {
  await temporal?.close();
  await worker?.stop();
  await payer?.stop();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the ptflow dev worker composition', () => {
  it('sends an authorization request as a 278 to the sandbox MA plan: 12 asked, the 6-visit fast lane approved', async () => {
    const keys = dataKeys(config);
    const patientId = randomUUID();
    const coverageId = randomUUID();
    const memberId = `SBX-CO45-${randomUUID().slice(0, 8).toUpperCase()}`;
    await createPatientRepository(db.db, keys).upsert({
      patientId,
      practiceId: DEMO_PRACTICE_ID,
      demographics: {
        given: ['Pat'],
        family: 'Synthetic',
        birthDate: '1950-01-01',
        sex: 'male',
        preferredLanguage: 'en',
      },
      preferredChannel: 'email',
      language: 'en',
      timezone: TZ,
    });
    await createCoverageRepository(db.db, keys).upsert({
      coverageId,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      payerId: 'ma-fastlane',
      priority: 1,
      memberId,
    });

    const authorizationId = randomUUID();
    const today = localDate(new Date(), TZ);
    const handle = await temporal.client.workflow.start<PriorAuthorizationWorkflow>(
      PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: workflowId('auth', authorizationId),
        args: [
          {
            authorizationId,
            practiceId: DEMO_PRACTICE_ID,
            patientId,
            coverageId,
            payerId: 'ma-fastlane',
            timezone: TZ,
            requestedVisits: 12,
            startDate: today,
            urgency: 'standard',
            diagnosisCodes: ['M17.11'],
            procedureCodes: ['97110', '97140'],
            planOfCareContinues: false,
          },
        ],
      },
    );
    let status = await handle.query(priorAuthorizationStatusQuery);
    for (let i = 0; i < 200 && ['draft', 'submitted'].includes(status.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await handle.query(priorAuthorizationStatusQuery);
    }
    const [atPayer] = await new SandboxPayerStore(db.sql).memberAuths(memberId);
    expect(atPayer).toMatchObject({
      status: 'partially_certified',
      x12PayerId: 'SBXMAFL',
      procedureCode: '97110',
      visitsRequested: 12,
      visitsApproved: 6,
    });
    expect(status).toMatchObject({
      status: 'partially_approved',
      authNumber: atPayer!.authorizationNumber!,
      visitsAuthorized: 6,
      startDate: today,
      endDate: atPayer!.endDate,
    });
    await handle.signal(dischargeSignal);
    expect(await handle.result()).toMatchObject({ status: 'closed' });
  });
});
