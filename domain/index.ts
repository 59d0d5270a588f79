// domain/ — pure PT-practice rules and types. No I/O, no clock, no randomness: time comes in as an argument.
export * from './core/index.js';
export * from './codes/index.js';
export * from './model/index.js';
export * from './rules/index.js';
export * from './billing/index.js';
export * from './care/index.js';
export * from './claims/index.js';
export * from './prior-authorization/index.js';
export * from './scrubber/index.js';
export * from './denials/index.js';
