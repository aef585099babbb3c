/**
 * Client of the public API (Wave 3 contract): every response is parsed once here into a domain value, with checks
 * that name the field; a failed request or a malformed body is WEB_API_UNAVAILABLE / BAD_HEX / INVALID_INPUT.
 */
import { fail } from '../../src/errors.js';
import { fromBase64, fromHex } from './bytes.js';

/** One public record (a court document or other attested item). */
export interface PublicRecord {
  evidenceId: string;
  recordedAt: string;
  kind: string;
  documentType: string | undefined;
  caseNumber: string | undefined;
  courtDid: string | undefined;
  hashes: { sha256: string | undefined; sm3: string | undefined };
  ledgerIndex: number;
  leafHash: Uint8Array;
}

/** A ledger entry: the stored canonical JSON object, or the raw bytes of a non-JSON leaf (`dataBase64`). */
export interface PublicEntry {
  index: number;
  leafHash: Uint8Array;
  entry: unknown;
  /** Raw leaf bytes when the API serves them (entries that are not JSON objects). */
  data: Uint8Array | undefined;
}

/** An inclusion proof as served. */
export interface PublicProof {
  leafIndex: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  root: Uint8Array;
  hashAlg: string;
}

/** The latest signed checkpoint and the keys to check it. */
export interface PublicCheckpoint {
  note: string;
  treeSize: number;
  root: Uint8Array;
  hashAlg: string;
  verifierKeys: string[];
}

/** How the page fetches (window.fetch in the browser; injectable in tests). */
export type Fetcher = (url: string) => Promise<Response>;

const HASH = /^[0-9a-f]{64}$/;

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('INVALID_INPUT', { field, reason: 'must be an object' });
  return v as Record<string, unknown>;
}
function str(v: unknown, field: string): string {
  if (typeof v !== 'string') return fail('INVALID_INPUT', { field, reason: 'must be a string' });
  return v;
}
function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}
function int(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return fail('BAD_INTEGER', { field });
  return v;
}
function optHash(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !HASH.test(v.toLowerCase())) return fail('BAD_HEX', { field });
  return v.toLowerCase();
}
function hex32(v: unknown, field: string): Uint8Array {
  return fromHex(typeof v === 'string' ? v.replace(/^0x/, '') : v, field, 32);
}

async function getJson(fetcher: Fetcher, path: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetcher(path);
  } catch (e) {
    return fail('WEB_API_UNAVAILABLE', { path, reason: 'network error' }, e);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    return fail('WEB_API_UNAVAILABLE', { path, reason: `HTTP ${res.status}, body is not JSON` }, e);
  }
  if (!res.ok) {
    const code = typeof (body as { code?: unknown })?.code === 'string' ? (body as { code: string }).code : 'unknown';
    fail('WEB_API_UNAVAILABLE', { path, reason: `HTTP ${res.status} ${code}` });
  }
  return obj(body, path);
}

function parseRecord(v: unknown, i: number): PublicRecord {
  const r = obj(v, `records[${i}]`);
  const h = r.hashes === undefined ? {} : obj(r.hashes, `records[${i}].hashes`);
  return {
    evidenceId: str(r.evidenceId, `records[${i}].evidenceId`),
    recordedAt: str(r.recordedAt, `records[${i}].recordedAt`),
    kind: str(r.kind, `records[${i}].kind`),
    documentType: optStr(r.documentType, `records[${i}].documentType`),
    caseNumber: optStr(r.caseNumber, `records[${i}].caseNumber`),
    courtDid: optStr(r.courtDid, `records[${i}].courtDid`),
    hashes: { sha256: optHash(h.sha256, `records[${i}].hashes.sha256`), sm3: optHash(h.sm3, `records[${i}].hashes.sm3`) },
    ledgerIndex: int(r.ledgerIndex, `records[${i}].ledgerIndex`),
    leafHash: hex32(r.leafHash, `records[${i}].leafHash`),
  };
}

/** Look up records by document hash (SHA-256 or SM3 hex) or by 存证编号; [] when none. */
export async function lookupRecords(fetcher: Fetcher, query: { hash: string } | { evidenceId: string }): Promise<PublicRecord[]> {
  const qs = 'hash' in query ? `hash=${encodeURIComponent(query.hash)}` : `evidenceId=${encodeURIComponent(query.evidenceId)}`;
  const body = await getJson(fetcher, `/api/v1/public/records?${qs}`);
  if (body.found !== true) return [];
  if (!Array.isArray(body.records) || body.records.length > 1000) return fail('INVALID_INPUT', { field: 'records', reason: 'must be an array of at most 1000' });
  return body.records.map(parseRecord);
}

/** The ledger entry at `index`. */
export async function fetchEntry(fetcher: Fetcher, index: number): Promise<PublicEntry> {
  const body = await getJson(fetcher, `/api/v1/public/entries/${index}`);
  if (!('entry' in body)) fail('INVALID_INPUT', { field: 'entry', reason: 'missing' });
  const data = body.dataBase64 === undefined ? undefined : fromBase64(body.dataBase64, 'dataBase64');
  return { index: int(body.index, 'index'), leafHash: hex32(body.leafHash, 'leafHash'), entry: body.entry, data };
}

/** The inclusion proof of leaf `index` in the tree of `treeSize` leaves. */
export async function fetchInclusionProof(fetcher: Fetcher, index: number, treeSize: number): Promise<PublicProof> {
  const body = await getJson(fetcher, `/api/v1/public/proofs/inclusion?index=${index}&treeSize=${treeSize}`);
  if (!Array.isArray(body.proof) || body.proof.length > 64) return fail('INVALID_INPUT', { field: 'proof', reason: 'must be an array of at most 64' });
  return {
    leafIndex: int(body.leafIndex, 'leafIndex'),
    treeSize: int(body.treeSize, 'treeSize'),
    leafHash: hex32(body.leafHash, 'leafHash'),
    proof: body.proof.map((p, i) => hex32(p, `proof[${i}]`)),
    root: hex32(body.root, 'root'),
    hashAlg: str(body.hashAlg, 'hashAlg'),
  };
}

/** The latest signed checkpoint with the ledger's verifier keys. */
export async function fetchCheckpoint(fetcher: Fetcher): Promise<PublicCheckpoint> {
  const body = await getJson(fetcher, '/api/v1/public/checkpoint');
  if (!Array.isArray(body.verifierKeys) || body.verifierKeys.length > 16) return fail('INVALID_INPUT', { field: 'verifierKeys', reason: 'must be an array of at most 16' });
  return {
    note: str(body.note, 'note'),
    treeSize: int(body.treeSize, 'treeSize'),
    root: hex32(body.root, 'root'),
    hashAlg: str(body.hashAlg, 'hashAlg'),
    verifierKeys: body.verifierKeys.map((k, i) => str(k, `verifierKeys[${i}]`)),
  };
}
