// FHIR R4 EMR adapter: build one from configuration.
import { FhirEmr } from './adapter.js';
import { bearerAuth, smartBackendAuth, type FhirAuth, type SmartBackendOptions } from './auth.js';
import { validateEndpoint } from './endpoint.js';
import { vendorProfiles, withOverrides, type ProfileOverrides, type VendorName } from './profiles.js';
import { FhirTransport, type FhirTransportOptions } from './transport.js';

export { FhirEmr } from './adapter.js';
export { bearerAuth, noAuth, smartBackendAuth, type FhirAuth, type SmartBackendOptions } from './auth.js';
export { EndpointNotAllowed, validateEndpoint } from './endpoint.js';
export * from './profiles.js';
export { FhirTransport, defaultRetryPolicy } from './transport.js';

export type FhirAuthConfig =
  | { kind: 'bearer'; token: string }
  | ({ kind: 'smart-backend' } & Omit<SmartBackendOptions, 'fetch' | 'now'>);

export interface FhirEmrConfig {
  baseUrl: string;
  vendor: VendorName;
  auth: FhirAuthConfig;
  profileOverrides?: ProfileOverrides;
  /** Only for tests and local development: permit http://127.0.0.1 endpoints. */
  allowLoopbackHttp?: boolean;
  transport?: Omit<FhirTransportOptions, 'baseUrl' | 'auth'>;
}

export function createFhirEmr(config: FhirEmrConfig): FhirEmr {
  const endpointOpts = { allowLoopbackHttp: config.allowLoopbackHttp ?? false };
  const baseUrl = validateEndpoint(config.baseUrl, endpointOpts);
  let auth: FhirAuth;
  if (config.auth.kind === 'bearer') {
    auth = bearerAuth(config.auth.token);
  } else {
    const { kind: _kind, ...smart } = config.auth;
    auth = smartBackendAuth({
      ...smart,
      tokenUrl: validateEndpoint(smart.tokenUrl, endpointOpts),
      ...(config.transport?.fetch ? { fetch: config.transport.fetch } : {}),
    });
  }
  const transport = new FhirTransport({ ...config.transport, baseUrl, auth });
  const profile = withOverrides(vendorProfiles[config.vendor], config.profileOverrides ?? {});
  return new FhirEmr({ transport, profile });
}
