export * from './timely-filing.js';
export * from './duplicates.js';
