import { describe, expect, it } from 'vitest';
import { classifyReply, normalizeReply } from '../../../connectors/messaging/index.js';

const inReminder = { awaitingAppointmentReply: true };
const noContext = { awaitingAppointmentReply: false };

describe('inbound keywords', () => {
  it('normalizes case, accents, punctuation and whitespace', () => {
    expect(normalizeReply('  Sí!! ')).toBe('SI');
    expect(normalizeReply('cancel.')).toBe('CANCEL');
    expect(normalizeReply('stop   texting\nme')).toBe('STOP TEXTING ME');
  });

  it.each([
    'STOP',
    'stop',
    'StopAll',
    'UNSUBSCRIBE',
    'END',
    'quit',
    'Revoke',
    'OPTOUT',
    'parar',
    'Stop texting me',
  ])('%s opts out in any context', (body) => {
    expect(classifyReply(body, noContext)).toBe('opt_out');
    expect(classifyReply(body, inReminder)).toBe('opt_out');
  });

  it('CANCEL cancels the appointment inside a reminder conversation and opts out elsewhere', () => {
    expect(classifyReply('CANCEL', inReminder)).toBe('cancel_appointment');
    expect(classifyReply('cancelar', inReminder)).toBe('cancel_appointment');
    expect(classifyReply('Cancel', noContext)).toBe('opt_out');
  });

  it('CONFIRM and YES confirm inside a reminder conversation', () => {
    for (const b of ['CONFIRM', 'confirmar', 'Yes', 'sí', 'Y'])
      expect(classifyReply(b, inReminder)).toBe('confirm_appointment');
    expect(classifyReply('CONFIRM', noContext)).toBe('other');
  });

  it('START, UNSTOP and YES (outside a reminder) opt in', () => {
    for (const b of ['START', 'unstop']) {
      expect(classifyReply(b, noContext)).toBe('opt_in');
      expect(classifyReply(b, inReminder)).toBe('opt_in');
    }
    expect(classifyReply('YES', noContext)).toBe('opt_in');
  });

  it('HELP, INFO and AYUDA ask for help', () => {
    for (const b of ['HELP', 'info', 'Ayuda']) expect(classifyReply(b, inReminder)).toBe('help');
  });

  it('sentences that merely contain a keyword are free text (except a leading STOP)', () => {
    expect(classifyReply('I need to cancel my card', inReminder)).toBe('other');
    expect(classifyReply('the end of the week works', noContext)).toBe('other');
    expect(classifyReply('can I come at 3?', inReminder)).toBe('other');
  });
});
