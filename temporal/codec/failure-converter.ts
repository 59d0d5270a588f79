// Loaded by module path (DataConverter.failureConverterPath) on the client and the worker, and bundled into the
// workflow sandbox by bundleWorkflowCode, so it must stay tiny and sandbox-safe: no Node built-ins, nothing of
// ours. With encodeCommonAttributes, a failure's message and stack trace move into `encodedAttributes` — a
// payload that goes through the encryption codec — and history keeps only "Encoded failure".
// ApplicationFailure.type stays plaintext (retry policies need it): never put PHI in failure types.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
