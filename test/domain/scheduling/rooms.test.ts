// Rooms as a scheduling resource (issue 18 part 3), the pure side: the dated rule of which visits need a private
// room, capacity as units (free units of a room at a time), shared rooms offered before private ones for
// treatment, the series model's capacity row per room and time, and the explanation naming rooms only when they
// constrained the plan.
import { describe, expect, it } from 'vitest';
import {
  buildSeriesModel,
  decodeSeries,
  explainSeries,
  freeRoomUnits,
  freeUnitsOf,
  roomNeed,
  seriesCandidates,
  SeriesRequestSchema,
  type RoomNeedRow,
  type RoomResource,
} from '../../../domain/scheduling/index.js';
import { yalpsSolver } from '../../../activities/onboarding/scheduling.js';

const T0 = Date.parse('2027-01-04T15:00:00Z');
const gym: RoomResource = { roomId: 'gym', locationId: 'loc-1', capacity: 3, private: false };
const room1: RoomResource = { roomId: 'r1', locationId: 'loc-1', capacity: 1, private: true };
const rooms = [room1, gym];
const hour = 3_600_000;

describe('room rules', () => {
  it('evaluations need a private room, treatment any room; the rule is dated', () => {
    expect(roomNeed('evaluation', '2027-01-04')).toBe('private');
    expect(roomNeed('treatment', '2027-01-04')).toBe('any');
    const table: RoomNeedRow[] = [
      {
        appointmentKind: 'evaluation',
        need: 'any',
        why: 'before',
        effectiveFrom: '2020-01-01',
        effectiveTo: '2026-12-31',
        source: 'test',
      },
      {
        appointmentKind: 'evaluation',
        need: 'private',
        why: 'after',
        effectiveFrom: '2027-01-01',
        effectiveTo: null,
        source: 'test',
      },
    ];
    expect(roomNeed('evaluation', '2026-06-01', table)).toBe('any');
    expect(roomNeed('evaluation', '2027-06-01', table)).toBe('private');
    expect(() => roomNeed('treatment', '2027-06-01', table)).toThrow(RangeError);
  });

  it('counts free units per room and offers shared rooms first for treatment, private only for evaluations', () => {
    const busy = [
      { roomId: 'gym', unit: 0, startMs: T0, endMs: T0 + hour },
      { roomId: 'gym', unit: 2, startMs: T0 + hour / 2, endMs: T0 + 2 * hour },
    ];
    expect(freeUnitsOf(gym, busy, T0, T0 + hour)).toEqual([1]);
    expect(freeUnitsOf(gym, busy, T0 + hour, T0 + 2 * hour)).toEqual([0, 1]);
    expect(freeUnitsOf(gym, busy, T0 + 2 * hour, T0 + 3 * hour)).toEqual([0, 1, 2]);
    const need = { locationId: 'loc-1', startMs: T0, endMs: T0 + hour };
    expect(freeRoomUnits(rooms, busy, { ...need, need: 'any' })).toEqual([
      { roomId: 'gym', unit: 1 },
      { roomId: 'r1', unit: 0 },
    ]);
    expect(freeRoomUnits(rooms, busy, { ...need, need: 'private' })).toEqual([{ roomId: 'r1', unit: 0 }]);
    const full = [...busy, { roomId: 'r1', unit: 0, startMs: T0 - hour, endMs: T0 + 1 }];
    expect(freeRoomUnits(rooms, full, { ...need, need: 'private' })).toEqual([]);
    expect(freeRoomUnits(rooms, busy, { ...need, locationId: 'loc-2', need: 'any' })).toEqual([]);
  });
});

describe('rooms in the series', () => {
  const request = SeriesRequestSchema.parse({
    acuity: 'acute',
    visitsPerWeek: 2,
    weeks: 1,
    startDate: '2027-01-04',
    timeZone: 'America/Chicago',
  });
  const slot = (day: number, roomUnitsFree?: number) => ({
    slotId: `s${day}`,
    therapistId: 'A',
    locationId: 'loc-1',
    start: new Date(T0 + day * 86_400_000).toISOString(),
    minutesAvailable: 60,
    ...(roomUnitsFree !== undefined ? { roomId: 'gym', roomUnitsFree } : {}),
  });

  it('puts a capacity row per room and time into the program, bounded by the units still free', () => {
    const candidates = seriesCandidates(request, [slot(0, 2), slot(2, 1), slot(4)], 45);
    const model = buildSeriesModel(request, candidates);
    expect(model.constraints[`room:gym@${slot(0).start}`]).toEqual({ max: 2 });
    expect(model.constraints[`room:gym@${slot(2).start}`]).toEqual({ max: 1 });
    expect(Object.keys(model.constraints).filter((k) => k.startsWith('room:'))).toHaveLength(2);
    expect(model.variables[candidates[0]!.key]![`room:gym@${slot(0).start}`]).toBe(1);
  });

  it('says rooms shaped the plan only when they did', () => {
    const candidates = seriesCandidates(request, [slot(0, 1), slot(2, 1)], 45);
    const plan = decodeSeries(
      request,
      candidates,
      yalpsSolver.solve(buildSeriesModel(request, candidates)),
      45,
    );
    expect(plan.visits).toHaveLength(2);
    const names = { therapist: () => 'Dana', location: () => 'Downtown', room: () => 'Gym' };
    const without = explainSeries(request, plan, '45 minutes', names).join(' ');
    expect(without).not.toMatch(/room/);
    const unconstrained = explainSeries(request, plan, '45 minutes', names, { slotsWithoutRoom: 0 }).join(
      ' ',
    );
    expect(unconstrained).not.toMatch(/room/);
    const constrained = explainSeries(request, plan, '45 minutes', names, { slotsWithoutRoom: 3 }).join(' ');
    expect(constrained).toContain(
      '3 times a therapist was free were not offered because every room there was full then; the visits have a place in Gym.',
    );
  });
});
