export * from './therapy-thresholds.js';
export * from './assistant-payment.js';
export * from './ncci-ptp.js';
export * from './mue.js';
export * from './fee-schedules.js';
export * from './payer-profiles.js';
export * from './poc-signature.js';
export * from './missed-visits.js';
