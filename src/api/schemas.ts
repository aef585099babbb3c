/** JSON Schema fragments shared by the route plugins (each route still owns its full schema). */

/** A 32-byte hash in hex, optional 0x. */
export const HEX32 = { type: 'string', pattern: '^(0x)?[0-9a-fA-F]{64}$' } as const;

/** A non-negative safe integer (query strings are coerced by fastify's ajv). */
export const INDEX = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** CAIP-2 chain id (bounded). */
export const CHAIN_ID = { type: 'string', pattern: '^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,64}$' } as const;

/** A relay record type (lower-case slug). */
export const RECORD_TYPE = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } as const;

/** A DID (bounded). */
export const DID = { type: 'string', minLength: 7, maxLength: 512, pattern: '^did:[a-z0-9]+:' } as const;

/** An RFC 9162 inclusion proof as the public API returns it. */
export const INCLUSION_PROOF = {
  type: 'object',
  required: ['leafIndex', 'treeSize', 'leafHash', 'proof', 'root', 'hashAlg'],
  properties: {
    leafIndex: { type: 'integer' }, treeSize: { type: 'integer' }, leafHash: { type: 'string' },
    proof: { type: 'array', items: { type: 'string' } }, root: { type: 'string' }, hashAlg: { type: 'string' },
  },
} as const;

/** A signed checkpoint as the public API returns it. */
export const CHECKPOINT = {
  type: 'object',
  required: ['note', 'treeSize', 'root', 'hashAlg', 'verifierKeys'],
  properties: {
    note: { type: 'string' }, treeSize: { type: 'integer' }, root: { type: 'string' }, hashAlg: { type: 'string' },
    origin: { type: 'string' }, verifierKeys: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** A court record as the public lookup returns it. */
export const COURT_RECORD = {
  type: 'object',
  required: ['evidenceId', 'recordedAt', 'kind', 'documentType', 'caseNumber', 'courtDid', 'hashes', 'ledgerIndex', 'leafHash'],
  properties: {
    evidenceId: { type: 'string' }, recordedAt: { type: 'string' }, kind: { type: 'string' }, documentType: { type: 'string' },
    caseNumber: { type: 'string' }, courtDid: { type: 'string' },
    hashes: { type: 'object', required: ['sha256', 'sm3'], properties: { sha256: { type: 'string' }, sm3: { type: 'string' } } },
    ledgerIndex: { type: 'integer' }, leafHash: { type: 'string' },
  },
} as const;
