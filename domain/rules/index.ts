export * from './types.js';
export * from './payers.js';
export * from './ncci-parser.js';
export * from './data/index.js';
export * from './dataset.js';
export * from './horizon.js';
