/**
 * The registration service as the hub runs it (the CLI `adapter` commands and `courtbridge api serve`): DID-signed JWS
 * verified over the DID resolver, the admin set and threshold from COURTBRIDGE_ADMINS / COURTBRIDGE_APPROVAL_THRESHOLD
 * (config.ts), events appended to the judicial ledger.
 */
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier } from '../../did/jwt.js';
import { loadRegistrationConfig } from './config.js';
import { RegistrationService } from './service.js';
import type { RegistrationStore } from './store.js';
import type { RegistrationEventSink } from './types.js';

/** Largest registration JWS accepted (a 1,024-member validator set does not fit did/jwt.ts's 64 KiB default). */
export const MAX_REGISTRATION_JWS = 1024 * 1024;

/** The service over `store` and `sink` with the administrators of `env` (CONFIG_INVALID when COURTBRIDGE_ADMINS is unset). */
export function registrationServiceFromEnv(store: RegistrationStore, sink: RegistrationEventSink, env: NodeJS.ProcessEnv = process.env): RegistrationService {
  const reg = loadRegistrationConfig(env);
  return new RegistrationService({ store, sink, verifier: new JwtVerifier(new DidResolver(), { maxLength: MAX_REGISTRATION_JWS }), admins: reg.admins, threshold: reg.threshold });
}
