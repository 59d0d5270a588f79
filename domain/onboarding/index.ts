// Patient onboarding: intake validation, eligibility meaning, reminder offsets, step keys.
export * from './intake.js';
export * from './reminders.js';
export * from './eligibility.js';
export * from './steps.js';
