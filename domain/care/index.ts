export * from './poc.js';
export * from './progress.js';
export * from './episode.js';
export * from './certification-record.js';
