// PhysicianDelivery connector: one port (types.ts), a fax/Direct HTTP adapter with a sandbox gateway, and an
// e-mail secure-link fallback.
export * from './types.js';
export * from './errors.js';
