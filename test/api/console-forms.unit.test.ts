// The console's shared form helper (api/console/forms.ts) and multipart parser (api/console/multipart.ts): a field
// renders its error beside it and joins hint, error and itemised details by aria-describedby; posted values
// become the nested REST body; zod issues and problem+json errors land on the right field (never quoting the
// value); runForm renders 400 with values kept, a FormRejected as it says, a problem's detail as the message, and
// calls `done` only after a successful submit. A multipart form with a CSV file parses into strings and a file.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  bodyOf,
  FormRejected,
  formErrorsOfIssues,
  readValues,
  renderField,
  runForm,
  type FormField,
  type FormState,
} from '../../api/console/forms.js';
import { acceptMultipartForms } from '../../api/console/multipart.js';
import { HttpProblem, validationProblem } from '../../api/problem.js';

const fields: FormField[] = [
  { key: 'legalName', label: 'Legal name', required: true },
  { key: 'npi', label: 'NPI', hint: 'Ten digits.', required: true },
  { key: 'payTo.line1', label: 'Pay-to street' },
  { key: 'visits', label: 'Visits', type: 'integer' },
];
const schema = z.object({
  legalName: z.string().min(2),
  npi: z.string().refine((v) => v.endsWith('3'), { message: 'the check digit does not match' }),
  payTo: z.object({ line1: z.string() }).optional(),
  visits: z.number().int().optional(),
});

describe('console forms', () => {
  it('renders the error beside the field, joined with the hint and details by aria-describedby', () => {
    const html = renderField('s', fields[1]!, '12', 'NPI: the check digit does not match.', ['one', 'two']);
    expect(html).toContain('<label for="s-npi">NPI <span class="note">(required)</span></label>');
    expect(html).toContain('<p class="error" id="s-npi-error">NPI: the check digit does not match.</p>');
    expect(html).toContain('aria-describedby="s-npi-hint s-npi-error s-npi-details" aria-invalid="true"');
    expect(html).toContain('<ul class="error" id="s-npi-details"><li>one</li><li>two</li></ul>');
    expect(renderField('s', fields[2]!, '<b>', undefined)).toContain('id="s-payTo-line1"');
    expect(renderField('s', fields[2]!, '<b>', undefined)).toContain('value="&#60;b&#62;"');
  });

  it('reads values, nests dotted keys, turns integers into numbers and drops empty fields', () => {
    const values = readValues(
      { legalName: ' Riverside PT ', npi: '', 'payTo.line1': '1 Main', visits: '12', other: 'x' },
      fields,
    );
    expect(values).toEqual({ legalName: 'Riverside PT', 'payTo.line1': '1 Main', visits: '12' });
    expect(bodyOf(values, fields)).toEqual({
      legalName: 'Riverside PT',
      payTo: { line1: '1 Main' },
      visits: 12,
    });
  });

  it('places zod issues on their fields with the label, without the submitted value', () => {
    const values = { legalName: 'R', npi: '1234567890' };
    const parsed = schema.safeParse(bodyOf(values, fields));
    expect(parsed.success).toBe(false);
    const { errors } = formErrorsOfIssues(parsed.error!.issues, fields, values);
    expect(errors.npi).toBe('NPI: the check digit does not match.');
    expect(errors.legalName).toMatch(/^Legal name: Must have at least 2/);
    expect(Object.values(errors).join(' ')).not.toContain('1234567890');
  });

  it('runForm: 400 with values kept; a problem’s field errors beside fields; FormRejected; done on success', async () => {
    const rendered: { status: number; state: FormState }[] = [];
    const run = (values: Record<string, string>, submit: () => Promise<void>) =>
      runForm({
        reply: {} as never,
        fields,
        values,
        validate: schema,
        submit,
        render: (status, state) => {
          rendered.push({ status, state });
          return 'page' as never;
        },
        done: () => 'done' as never,
      });
    let submitted = 0;
    expect(await run({ legalName: 'Riverside', npi: '12' }, async () => void submitted++)).toBe('page');
    expect(submitted).toBe(0);
    expect(rendered.at(-1)!.status).toBe(400);
    expect(rendered.at(-1)!.state.values.npi).toBe('12');

    expect(
      await run({ legalName: 'Riverside', npi: '1234567893' }, async () => {
        throw new HttpProblem(
          validationProblem([
            { in: 'body', pointer: '/payTo/line1', code: 'custom', detail: 'Street is required.' },
          ]),
        );
      }),
    ).toBe('page');
    expect(rendered.at(-1)!.state.errors).toEqual({ 'payTo.line1': 'Pay-to street: Street is required.' });
    expect(rendered.at(-1)!.state.message).toBeUndefined();

    await run({ legalName: 'Riverside', npi: '1234567893' }, async () => {
      throw new FormRejected(400, { errors: { npi: 'NPI: taken.' }, details: { npi: ['Line 2'] } });
    });
    expect(rendered.at(-1)!.state).toMatchObject({
      errors: { npi: 'NPI: taken.' },
      details: { npi: ['Line 2'] },
    });

    await run({ legalName: 'Riverside', npi: '1234567893' }, async () => {
      throw new HttpProblem({
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'Already there.',
      });
    });
    expect(rendered.at(-1)).toMatchObject({ status: 409, state: { message: 'Already there.' } });

    expect(await run({ legalName: 'Riverside', npi: '1234567893' }, async () => void submitted++)).toBe(
      'done',
    );
    expect(submitted).toBe(1);
  });

  it('parses a multipart form into strings and an uploaded file', async () => {
    const app = Fastify();
    acceptMultipartForms(app, 1024);
    app.post('/up', async (req) => req.body);
    const form = new FormData();
    form.set('_csrf', 'token');
    form.set('effectiveFrom', '2027-01-01');
    form.set('file', new Blob(['code,amount\n97110,45.00\n']), 'fees.csv');
    const request = new Request('http://x/up', { method: 'POST', body: form });
    const res = await app.inject({
      method: 'POST',
      url: '/up',
      headers: { 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      _csrf: 'token',
      effectiveFrom: '2027-01-01',
      file: { filename: 'fees.csv', size: 24, text: 'code,amount\n97110,45.00\n' },
    });
    const tooBig = await app.inject({
      method: 'POST',
      url: '/up',
      headers: { 'content-type': request.headers.get('content-type')! },
      payload: Buffer.alloc(2048, 'a'),
    });
    expect(tooBig.statusCode).toBe(413);
    await app.close();
  });
});
