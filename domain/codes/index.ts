export * from './cpt.js';
export * from './npi.js';
export * from './icd10.js';
