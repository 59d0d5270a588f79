export * from './units.js';
export * from './assistant.js';
export * from './kx.js';
export * from './mue.js';
export * from './ncci.js';
export * from './fees.js';
export * from './modifiers.js';
export * from './code-visit.js';
