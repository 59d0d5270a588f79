// Evaluation scheduling (onboarding books the initial evaluation: therapist, slot and duration): pure rules,
// data and model construction. The solver and the EMR slot search are ports; the activity in
// activities/onboarding/scheduling.ts wires them.
export * from './types.js';
export * from './ports.js';
export * from './local-time.js';
export * from './body-regions.js';
export * from './duration.js';
export * from './feasibility.js';
export * from './scoring.js';
export * from './assess.js';
export * from './model.js';
export * from './explain.js';
export * from './result.js';
export * from './equipment.js';
export * from './rooms.js';
export * from './series.js';
