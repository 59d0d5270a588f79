export * from './params.js';
export * from './types.js';
export { renderTemplate, renderReply, isTemplateId, type ReplyKind } from './render.js';
export { formatAppointmentTime } from './format.js';
