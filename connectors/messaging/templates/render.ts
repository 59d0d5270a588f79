// Validate template parameters and render a template in a language. Validation errors list parameter paths
// and zod issue codes only: the values (names, links) never reach an error message or a log line.
import { MessagingInvalidRequest } from '../errors.js';
import { en, enReplies } from './en.js';
import { es, esReplies } from './es.js';
import { templateParamSchemas, type Language, type TemplateId } from './params.js';
import { SMS_MAX_CHARS, type PracticeContact, type RenderedMessage } from './types.js';

const renderers = { en, es } as const;
const replies = { en: enReplies, es: esReplies } as const;

export type ReplyKind = keyof typeof enReplies;

export function isTemplateId(t: string): t is TemplateId {
  return Object.hasOwn(templateParamSchemas, t);
}

export function renderTemplate(template: string, language: Language, params: unknown): RenderedMessage {
  if (!isTemplateId(template)) throw new MessagingInvalidRequest('unknown template');
  const parsed = templateParamSchemas[template].safeParse(params);
  if (!parsed.success) {
    throw new MessagingInvalidRequest(
      `invalid parameters for template ${template}`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
    );
  }
  // The cast is safe: `parsed.data` was produced by the schema of exactly this template.
  const render = renderers[language][template] as (p: unknown) => RenderedMessage;
  const out = render(parsed.data);
  if (out.sms.length > SMS_MAX_CHARS) {
    throw new MessagingInvalidRequest(`rendered SMS for ${template} exceeds ${SMS_MAX_CHARS} characters`);
  }
  return out;
}

/** Automatic replies to inbound keywords (HELP, STOP, START, CONFIRM, CANCEL). */
export function renderReply(kind: ReplyKind, language: Language, practice: PracticeContact): string {
  return replies[language][kind](practice);
}
