export * from './authorization.js';
export * from './attention.js';
