// Spanish texts (usted form). Same structure and the same information as en.ts. CONFIRMAR/CANCELAR are
// recognised as replies as well as the English keywords; STOP is kept in English because carriers act on it.
import type { TemplateId, TemplateParams } from './params.js';
import type { PracticeContact, RenderedMessage } from './types.js';
import { formatAppointmentTime } from './format.js';

const hola = (firstName?: string) => (firstName ? `Hola ${firstName}, ` : '');
const saludo = (firstName?: string) => (firstName ? `Hola ${firstName}:` : 'Hola:');
const stop = 'Responda STOP para no recibir mensajes.';
const firma = (p: PracticeContact) => `\n\n${p.practiceName}\n${p.practicePhone}\n`;

type Renderers = { [T in TemplateId]: (p: TemplateParams<T>) => RenderedMessage };

export const es: Renderers = {
  intake_link: (p) => ({
    sms: `${p.practiceName}: ${hola(p.firstName)}complete sus formularios de paciente nuevo antes de su primera visita: ${p.link} Preguntas: ${p.practicePhone}. ${stop}`,
    subject: `Sus formularios de paciente nuevo de ${p.practiceName}`,
    text: `${saludo(p.firstName)}\n\nPor favor complete sus formularios de paciente nuevo antes de su primera visita:\n${p.link}\n\nEl enlace abre nuestra página segura. ¿Preguntas? Llámenos al ${p.practicePhone}.${firma(p)}`,
  }),
  form_reminder: (p) => ({
    sms: `${p.practiceName}: ${hola(p.firstName)}le recordamos que sus formularios no están completos: ${p.link} Preguntas: ${p.practicePhone}. ${stop}`,
    subject: `Recordatorio: complete sus formularios para ${p.practiceName}`,
    text: `${saludo(p.firstName)}\n\nSus formularios aún no están completos. Completarlos antes de su visita agiliza su registro:\n${p.link}\n\n¿Preguntas? Llámenos al ${p.practicePhone}.${firma(p)}`,
  }),
  appointment_reminder: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'es');
    return {
      sms: `${p.practiceName}: ${hola(p.firstName)}su cita es el ${when} en ${p.locationName}. Responda CONFIRMAR para confirmar o CANCELAR para cancelar. Para cambiarla: ${p.practicePhone}. ${stop}`,
      subject: `Recordatorio de cita de ${p.practiceName}`,
      text: `${saludo(p.firstName)}\n\nLe recordamos su cita el ${when} en ${p.locationName}.\n\nPara confirmar o cancelar, responda a nuestro mensaje de texto con CONFIRMAR o CANCELAR, o llámenos al ${p.practicePhone}.${firma(p)}`,
    };
  },
  insurance_update_request: (p) => ({
    sms: `${p.practiceName}: ${hola(p.firstName)}no pudimos verificar su seguro. Actualícelo aquí: ${p.link} o llame al ${p.practicePhone}. ${stop}`,
    subject: `Actualice la información de su seguro para ${p.practiceName}`,
    text: `${saludo(p.firstName)}\n\nNo pudimos verificar el seguro que tenemos registrado. Revíselo y actualícelo en nuestra página segura:\n${p.link}\n\nO llámenos al ${p.practicePhone}.${firma(p)}`,
  }),
  visit_rebook_offer: (p) => {
    const list = p.slots.map((s, i) => `${i + 1}) ${formatAppointmentTime(s, p.timeZone, 'es')}`).join(' ');
    const keys = p.slots.map((_, i) => String(i + 1)).join('/');
    return {
      sms: `${p.practiceName}: ${hola(p.firstName)}no pudimos verle. Libre: ${list}. Responda ${keys} para reservar o llame al ${p.practicePhone}. ${stop}`,
      subject: `Busquemos una nueva cita en ${p.practiceName}`,
      text: `${saludo(p.firstName)}\n\nNo pudimos verle en su cita. Estos horarios están libres en ${p.locationName}:\n${p.slots.map((s, i) => `  ${i + 1}) ${formatAppointmentTime(s, p.timeZone, 'es')}`).join('\n')}\n\nPara reservar uno, responda a nuestro mensaje de texto con su número, o llámenos al ${p.practicePhone}.${firma(p)}`,
    };
  },
  visit_booked: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'es');
    return {
      sms: `${p.practiceName}: ${hola(p.firstName)}su cita quedó reservada para el ${when} en ${p.locationName}. Para cambiarla: ${p.practicePhone}. ${stop}`,
      subject: `Su cita en ${p.practiceName}`,
      text: `${saludo(p.firstName)}\n\nSu cita quedó reservada para el ${when} en ${p.locationName}.\n\nPara cambiarla, llámenos al ${p.practicePhone}.${firma(p)}`,
    };
  },
  waitlist_offer: (p) => {
    const when = formatAppointmentTime(p.startsAt, p.timeZone, 'es');
    return {
      sms: `${p.practiceName}: ${hola(p.firstName)}se liberó un horario: ${when} en ${p.locationName}. Responda SI en ${p.replyMinutes} min para tomarlo (lo obtiene quien responda primero), NO para pasar. ${stop}`,
      subject: `Se liberó un horario en ${p.practiceName}`,
      text: `${saludo(p.firstName)}\n\nSe liberó un horario: ${when} en ${p.locationName}. La primera persona de nuestra lista de espera que responda SI a nuestro mensaje de texto en ${p.replyMinutes} minutos lo obtiene; o llámenos al ${p.practicePhone}.${firma(p)}`,
    };
  },
  waitlist_slot_gone: (p) => ({
    sms: `${p.practiceName}: ${hola(p.firstName)}el horario ofrecido ya no está disponible. Sigue en nuestra lista de espera y le avisaremos cuando se libere otro. ${stop}`,
    subject: `El horario ofrecido en ${p.practiceName} ya no está disponible`,
    text: `${saludo(p.firstName)}\n\nEl horario ofrecido ya no está disponible. Sigue en nuestra lista de espera y le avisaremos cuando se libere otro.${firma(p)}`,
  }),
  statement: (p) => ({
    sms: `${p.practiceName}: ${hola(p.firstName)}tiene un nuevo estado de cuenta. Véalo de forma segura: ${p.link} Preguntas: ${p.practicePhone}. ${stop}`,
    subject: `Nuevo estado de cuenta de ${p.practiceName}`,
    text: `${saludo(p.firstName)}\n\nTiene un nuevo estado de cuenta disponible en nuestra página segura:\n${p.link}\n\n¿Preguntas sobre su factura? Llámenos al ${p.practicePhone}.${firma(p)}`,
  }),
  physician_report_notice: (p) => ({
    sms: `${p.practiceName}: informe de terapia (ref. ${p.reference}) listo para ${p.recipientName}: ${p.link} Preguntas: ${p.practicePhone}. ${stop}`,
    subject: `Informe de terapia listo (ref. ${p.reference})`,
    text: `Estimado/a ${p.recipientName}:\n\nUn informe de terapia de uno de sus pacientes está listo en nuestro portal seguro (referencia ${p.reference}):\n${p.link}\n\n¿Preguntas? Llámenos al ${p.practicePhone}.${firma(p)}`,
  }),
  staff_digest: (p) => ({
    sms: `${p.practiceName} resumen ${p.digestDate}: ${p.openFrontDesk + p.openTherapist + p.openBiller + p.openAdmin} tareas abiertas (${p.overdueFrontDesk + p.overdueTherapist + p.overdueBiller + p.overdueAdmin} vencidas), ${p.needsAttention} procesos requieren atención.`,
    subject: `${p.practiceName}: resumen del personal del ${p.digestDate}`,
    text: `Resumen del personal del ${p.digestDate}\n\nTareas abiertas (vencidas) por función:\n  Recepción    ${p.openFrontDesk} (${p.overdueFrontDesk})\n  Terapeutas   ${p.openTherapist} (${p.overdueTherapist})\n  Facturación  ${p.openBiller} (${p.overdueBiller})\n  Administración ${p.openAdmin} (${p.overdueAdmin})\n\nProcesos que requieren atención: ${p.needsAttention}\n${p.link ? `\nÁbralos aquí (requiere iniciar sesión):\n${p.link}\n` : ''}\nEste resumen contiene solo cifras, nunca datos de pacientes.\n\n${p.practiceName}\n`,
  }),
};

export const esReplies = {
  help: (p: PracticeContact) =>
    `${p.practiceName}: mensajes sobre citas y formularios. Llame al ${p.practicePhone} para ayuda. Pueden aplicar tarifas. Responda STOP para no recibir mensajes.`,
  optedOut: (p: PracticeContact) =>
    `${p.practiceName}: ya no recibirá mensajes de texto. Responda START para volver a recibirlos.`,
  optedIn: (p: PracticeContact) =>
    `${p.practiceName}: volverá a recibir mensajes de texto. Responda HELP para ayuda, STOP para no recibir mensajes.`,
  appointmentConfirmed: (p: PracticeContact) => `${p.practiceName}: gracias, su cita está confirmada.`,
  appointmentCancelled: (p: PracticeContact) =>
    `${p.practiceName}: recibimos su cancelación. Llame al ${p.practicePhone} para programar otra cita.`,
};
