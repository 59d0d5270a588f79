export * from './poc.js';
export * from './progress.js';
