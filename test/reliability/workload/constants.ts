/** Names shared by the crash workload (mixed-worker.ts) and its test (crash.test.ts), which must not import the worker. */

/** The root issuer of the workload's registry (the Ministry of Justice in production). */
export const WORKLOAD_ROOT = 'did:example:ministry-of-justice';
/** Where the workload's status lists are published. */
export const WORKLOAD_STATUS_BASE = 'https://hub.test/status';
