export * from './timely-filing.js';
export * from './duplicates.js';
export * from './timely-filing-alert.js';
export * from './corrections.js';
