// PhysicianDelivery connector: one port (types.ts), a fax/Direct HTTP adapter with a sandbox gateway, and an
// e-mail secure-link fallback.
export * from './types.js';
export * from './errors.js';
export { GatewayPhysicianDelivery, type GatewayConfig } from './gateway/adapter.js';
export {
  SecureLinkEmailDelivery,
  memorySecureDocumentStore,
  type SecureDocumentStore,
  type SecureDocumentEntry,
  type SecureLinkEmailConfig,
} from './email/adapter.js';
export { routedPhysicianDelivery } from './routed.js';
