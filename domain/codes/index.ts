export * from './cpt.js';
