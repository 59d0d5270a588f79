// multipart/form-data for console forms with a file field (the fee schedule CSV upload): parsed by the runtime's
// own WHATWG FormData parser (undici's `Response.formData()`, part of Node), so no extra dependency. Text parts
// become strings (the auth plugin then finds `_csrf` as in any form), file parts an `UploadedFile`. Registered
// inside one route plugin only; the body limit bounds what is buffered.
import type { FastifyInstance } from 'fastify';
import { HttpProblem, problem } from '../problem.js';

/** A file part of a posted form. */
export interface UploadedFile {
  /** The browser-given file name (shown back to the person only, never logged). */
  filename: string;
  size: number;
  text: string;
}

/** Whether a parsed form value is a file part. */
export function isUploadedFile(v: unknown): v is UploadedFile {
  return typeof v === 'object' && v !== null && typeof (v as UploadedFile).text === 'string';
}

/** Accepts multipart/form-data bodies (up to `bodyLimit` bytes) in the plugin scope of `app`. */
export function acceptMultipartForms(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit },
    async (req: { headers: Record<string, unknown> }, body: Buffer) => {
      const contentType = String(req.headers['content-type'] ?? '');
      let form: FormData;
      try {
        form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      } catch {
        throw new HttpProblem(problem(400, 'The form could not be read (malformed multipart body).'));
      }
      const out: Record<string, string | UploadedFile> = {};
      for (const [name, value] of form) {
        if (name in out) continue;
        if (typeof value === 'string') out[name] = value;
        else if (value.size > 0 || value.name !== '') {
          out[name] = { filename: value.name, size: value.size, text: await value.text() };
        }
      }
      return out;
    },
  );
}
