// The console's "Record the payer's decision" form (issue 12, item 4) over the real stack: PostgreSQL, the Temporal
// dev server, a worker whose payer pends every request, the production app. An authorization started with a
// short decision window escalates: the process raises its auth_decision_overdue task and keeps waiting for the
// payer. The task page asks for the decision and the authorization number; a form without the CSRF token is
// refused (403); an approval without its number is named next to the field (400); another practice's staff get
// the 404 page; the posted approval goes through the REST decision route's code, and the authorization is
// approved with that number (its status, through the API) and the reminder task closes.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdempotently } from '../../activities/shared/process-starter.js';
import { DEMO_PRACTICE_ID, DEMO_STAFF } from '../../db/seed.js';
import { staffMembers } from '../../db/schema.js';
import {
  PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
  type PriorAuthorizationWorkflow,
} from '../../workflows/prior-authorization/messages.js';
import { devSignInForm, hiddenValue, InjectBrowser } from './staff-browser.js';
import { OTHER_PRACTICE_ID, startApiStack, until, type ApiStack } from './stack.js';

let stack: ApiStack;
const OTHER_STAFF = {
  id: '00000000-0000-4000-8000-0000000004de',
  displayName: 'Otto Other',
  role: 'front_desk',
};

beforeAll(async () => {
  stack = await startApiStack({ staffAuth: { cookieSecret: randomBytes(32), devSignIn: true } });
  await stack.db.db.insert(staffMembers).values({ ...OTHER_STAFF, practiceId: OTHER_PRACTICE_ID } as never);
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

const label = (role: string) => {
  const s = role === 'other' ? OTHER_STAFF : DEMO_STAFF.find((p) => p.role === role)!;
  return `${s.displayName} (${s.role})`;
};

async function signIn(role: string): Promise<InjectBrowser> {
  const browser = new InjectBrowser(stack.app);
  const page = await browser.get('/auth/sign-in');
  const res = await browser.request('POST', '/auth/dev/sign-in', {
    form: devSignInForm(page.body, label(role)),
  });
  expect(res.statusCode).toBe(303);
  return browser;
}

describe('console authorization decision form', () => {
  it('records an approval with its number on an overdue authorization and resumes the process', async () => {
    const authorizationId = randomUUID();
    const patientId = randomUUID();
    const today = new Date().toISOString().slice(0, 10);
    await startIdempotently<PriorAuthorizationWorkflow>(stack.temporal.client, {
      taskQueue: stack.taskQueue,
      kind: 'auth',
      processKind: 'priorAuthorization',
      id: authorizationId,
      workflow: PRIOR_AUTHORIZATION_WORKFLOW_TYPE,
      practiceId: DEMO_PRACTICE_ID,
      patientId,
      args: [
        {
          authorizationId,
          practiceId: DEMO_PRACTICE_ID,
          patientId,
          coverageId: randomUUID(),
          payerId: 'ma-fastlane',
          requestedVisits: 12,
          startDate: today,
          urgency: 'standard',
          timezone: 'America/Chicago',
          planOfCareContinues: true,
          // About two seconds: the payer has not decided by then, so the process raises its reminder.
          decisionWindowHours: 2 / 3600,
        },
      ],
    });
    const status = async () =>
      (
        await stack.app.inject({
          method: 'GET',
          url: `/v1/authorizations/${authorizationId}`,
          headers: stack.auth.own.front_desk,
        })
      ).json() as { status: string; authNumber?: string; visitsAuthorized?: number };

    let taskId = '';
    await until(async () => {
      const [t] = await stack.db.sql<{ id: string }[]>`select id from tasks
        where workflow_id = ${`auth:${authorizationId}`} and kind = 'auth_decision_overdue' and status = 'open'`;
      taskId = t?.id ?? '';
      return taskId !== '';
    }, 'the auth_decision_overdue task');
    expect((await status()).status).toBe('pending');

    const browser = await signIn('front_desk');
    const page = await browser.get(`/console/tasks/${taskId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h2>Record the payer's decision</h2>");
    expect(page.body).toContain(
      `<form method="post" action="/console/tasks/${taskId}/authorization-decision">`,
    );
    expect(page.body).toContain('<label for="d-authNumber">Authorization number</label>');
    const csrf = hiddenValue(page.body, '_csrf');
    const url = `/console/tasks/${taskId}/authorization-decision`;
    const approval = { outcome: 'approved', authNumber: 'AUTH-7781', visitsAuthorized: '8' };

    // No CSRF token: refused, nothing signalled.
    const forged = await browser.request('POST', url, { form: approval });
    expect(forged.statusCode).toBe(403);
    // An approval without its number, and visits that are no number: each named next to its field.
    const bad = await browser.request('POST', url, {
      form: { _csrf: csrf, outcome: 'approved', visitsAuthorized: 'eight' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(
      'id="d-authNumber-error">Authorization number: enter the number the payer gave with the approval.',
    );
    expect(bad.body).toContain('id="d-visitsAuthorized-error">Visits approved (optional): A whole number');
    expect(bad.body).toContain('aria-describedby="d-authNumber-hint d-authNumber-error" aria-invalid="true"');
    expect(bad.body).toContain('value="eight"');
    // Another practice's staff: the 404 page.
    const other = await signIn('other');
    const otherCsrf = hiddenValue((await other.get('/console/worklist')).body, '_csrf');
    const foreign = await other.request('POST', url, { form: { _csrf: otherCsrf, ...approval } });
    expect(foreign.statusCode).toBe(404);
    expect((await status()).status).toBe('pending');

    const done = await browser.request('POST', url, { form: { _csrf: csrf, ...approval } });
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/console/worklist?done=1');
    await until(async () => (await status()).status === 'approved', 'the authorization approved');
    const approved = await status();
    expect(approved.authNumber).toBe('AUTH-7781');
    expect(approved.visitsAuthorized).toBe(8);
    await until(async () => {
      const [t] = await stack.db.sql<{ status: string }[]>`select status from tasks where id = ${taskId}`;
      return t?.status === 'completed';
    }, 'the reminder task completed');
    // The same audit trail as the REST route: an update of the authorization by the signed-in person.
    const audit = await stack.db.sql`select actor_id, outcome from audit_events
      where resource_type = 'authorization' and resource_id = ${authorizationId} and action = 'U'`;
    expect(audit).toEqual([{ actor_id: `user:${DEMO_STAFF[1].id}`, outcome: 'success' }]);
  });
});
