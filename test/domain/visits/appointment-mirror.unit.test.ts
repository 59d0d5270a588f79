// The appointments mirror's transition table (domain/visits/appointment-mirror.ts): every pair of statuses
// checked against the table written out here by hand, and the property the router relies on — any order of
// deliveries ends in the same status as the events' "furthest" one, and nothing ever moves backwards.
import { describe, expect, it } from 'vitest';
import {
  APPOINTMENT_STATUSES,
  canMoveAppointment,
  mirrorAppointmentKind,
  nextAppointmentStatus,
  statusesMovingTo,
  statusOfEmrEvent,
  type AppointmentStatus,
} from '../../../domain/visits/appointment-mirror.js';

// from → to: 'y' allowed, '.' not (columns in APPOINTMENT_STATUSES order:
// booked, checked_in, completed, cancelled, no_show, late_cancelled).
const EXPECTED: Record<AppointmentStatus, string> = {
  booked: '.yyyyy',
  checked_in: '..y...',
  completed: '......',
  cancelled: '.....y',
  no_show: '......',
  late_cancelled: '......',
};

describe('appointment mirror transitions', () => {
  it('follow the hand-written table for every pair of statuses', () => {
    for (const from of APPOINTMENT_STATUSES) {
      APPOINTMENT_STATUSES.forEach((to, i) => {
        expect(canMoveAppointment(from, to), `${from} → ${to}`).toBe(EXPECTED[from][i] === 'y');
      });
    }
  });

  it('a late "booked" never undoes completed, checked in, a cancellation or a no-show', () => {
    for (const s of ['checked_in', 'completed', 'cancelled', 'no_show', 'late_cancelled'] as const) {
      expect(nextAppointmentStatus(s, 'booked')).toBe(s);
    }
    expect(nextAppointmentStatus('completed', 'checked_in')).toBe('completed');
    expect(nextAppointmentStatus('late_cancelled', 'cancelled')).toBe('late_cancelled');
    expect(nextAppointmentStatus('cancelled', 'late_cancelled')).toBe('late_cancelled');
    expect(nextAppointmentStatus('checked_in', 'no_show')).toBe('checked_in');
  });

  it('every order of booked → checked in → completed deliveries ends completed', () => {
    const events: AppointmentStatus[] = ['booked', 'checked_in', 'completed'];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      // The first delivery creates the row with its own status; the rest move it.
      const [first, ...rest] = order.map((i) => events[i]!);
      expect(rest.reduce(nextAppointmentStatus, first!), order.join('')).toBe('completed');
    }
  });

  it('never moves backwards: no status is reachable again once left', () => {
    for (const a of APPOINTMENT_STATUSES)
      for (const b of APPOINTMENT_STATUSES)
        if (canMoveAppointment(a, b)) expect(canMoveAppointment(b, a), `${a} ⇄ ${b}`).toBe(false);
  });

  it('statusesMovingTo is the WHERE the repository updates with', () => {
    expect(statusesMovingTo('completed')).toEqual(['booked', 'checked_in']);
    expect(statusesMovingTo('late_cancelled')).toEqual(['booked', 'cancelled']);
    expect(statusesMovingTo('booked')).toEqual([]);
  });

  it('maps EMR events and appointment kinds', () => {
    expect(statusOfEmrEvent('note.signed')).toBe('completed');
    expect(statusOfEmrEvent('appointment.checked_in')).toBe('checked_in');
    expect(statusOfEmrEvent('appointment.late_cancelled')).toBe('late_cancelled');
    expect(statusOfEmrEvent('appointment.cancelled')).toBe('cancelled');
    expect(mirrorAppointmentKind('re-evaluation')).toBe('reevaluation');
    expect(mirrorAppointmentKind('discharge')).toBe('discharge');
  });
});
