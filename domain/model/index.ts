export * from './common.js';
export * from './visit.js';
export * from './claim.js';
export * from './payer-profile.js';
export * from './finding.js';
