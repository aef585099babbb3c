/** Partner-chain registrations: document parsing, signed submissions and approvals, storage, state machine. */
export * from './types.js';
export { parseRegistration, registrationDigest, checkEndpoint, checkFilingNumber, isLoopbackHost, FILING_PROVINCES } from './parse.js';
export { trustAnchorOf, adapterRegistrationOf, LIGHT_CLIENT_KIND } from './anchor.js';
export { JWS_TYP, signRegistration, signApproval, signDisable, signUnfreeze, verifyRegistrationJws, verifyAdminJws, verifyUnfreezeJws, type VerifiedRegistration, type VerifiedAdminOrder, type VerifiedUnfreezeOrder } from './jws.js';
export { openRegistrationStore, type RegistrationStore, type InsertOutcome } from './store.js';
export { RegistrationService, type RegistrationServiceOptions, type ApprovalOutcome, type RegistrationEvidence } from './service.js';
export { loadRegistrationConfig, type RegistrationConfig } from './config.js';
export { proveRegistration, registrationJwsDigest, verifyProvenRegistration, type ProvenRegistration, type LedgerReader } from './evidence.js';
