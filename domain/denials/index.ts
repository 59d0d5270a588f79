export * from './types.js';
export * from './table.js';
export * from './route.js';
export * from './lines.js';
