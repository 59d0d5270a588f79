export * from './dates.js';
export * from './effective.js';
export * from './hours.js';
export * from './money.js';
