/**
 * Public audience (no token): the contract in HELPERS.md "Wave 3" — lookup by hash or 存证编号, ledger entries,
 * inclusion and consistency proofs (RFC 9162 §2.1.3 / §2.1.4), the latest signed checkpoint (C2SP tlog-checkpoint) —
 * plus `/attestations/:index` (an entry with its inclusion proof at the latest checkpoint, one round trip).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { toHex } from '../../crypto/bytes.js';
import { TtlLru } from '../../../did/lru.js';
import { fail } from '../../errors.js';
import { EVIDENCE_ID_PATTERN } from '../court-records.js';
import type { LedgerHead } from '../../ledger/ledger.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { HeadCache, checkpointBody, checkpointView, courtRecordView, entryView, inclusionView } from '../ledger-views.js';
import { CHECKPOINT, COURT_RECORD, HEX32, INCLUSION_PROOF, INDEX } from '../schemas.js';

const PUBLIC = { public: true } as const;
/** Plain JSON serialisation for cached answers (built by the handler below, so their shape is the schema's). */
const serialize = (v: unknown): string => JSON.stringify(v);

const ENTRY = {
  type: 'object', required: ['index', 'leafHash', 'entry'],
  properties: { index: { type: 'integer' }, leafHash: { type: 'string' }, entry: { type: ['object', 'null'], additionalProperties: true }, dataBase64: { type: 'string' } },
} as const;

/** Most records one lookup returns. */
export const MAX_LOOKUP_RECORDS = 100;

/** The public plugin. */
export const publicRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  const { ledger, store } = deps;
  const heads = new HeadCache(ledger);
  // Entries and their proofs at a signed tree size never change: the serialised answer is kept per (index, size).
  const cacheSize = deps.attestationCacheSize ?? 4096;
  const answers = cacheSize > 0 ? new TtlLru<string, string>(cacheSize, 10 * 60_000) : undefined;
  // A committed entry never changes either, while the checkpoint its proof is at moves on (once a second under
  // writes, HeadCache): its JSON text — `{"index":…,"leafHash":…,"entry":…` without the closing brace — is kept per
  // index, so an answer at a new checkpoint reads and parses no leaf, only its proof.
  const entryTexts = cacheSize > 0 ? new TtlLru<number, string>(cacheSize, 10 * 60_000) : undefined;
  const entryText = async (index: number): Promise<string> => {
    const hit = entryTexts?.get(index);
    if (hit !== undefined) return hit;
    const text = serialize(await entryView(ledger, index)).slice(0, -1);
    entryTexts?.set(index, text);
    return text;
  };
  // The checkpoint part of the answers, serialised once per head read.
  let checkpointText: { head: LedgerHead; text: string } | undefined;

  app.get('/api/v1/public/records', {
    config: PUBLIC,
    schema: {
      tags: ['public'], summary: 'Look a court record up by SHA-256 / SM3 hash or by 存证编号',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { hash: HEX32, evidenceId: { type: 'string', pattern: EVIDENCE_ID_PATTERN } },
      },
      response: {
        200: { type: 'object', required: ['found'], properties: { found: { type: 'boolean' }, records: { type: 'array', items: COURT_RECORD } } },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req) => {
    const q = req.query as { hash?: string; evidenceId?: string };
    if ((q.hash === undefined) === (q.evidenceId === undefined)) fail('INVALID_INPUT', { field: 'querystring', reason: 'exactly one of hash and evidenceId is required' });
    const rows = q.hash !== undefined
      ? await store.courtRecordsByHash(q.hash.replace(/^0x/, '').toLowerCase(), MAX_LOOKUP_RECORDS)
      : [await store.courtRecordById(q.evidenceId!)].filter((r) => r !== undefined);
    return rows.length === 0 ? { found: false } : { found: true, records: rows.map(courtRecordView) };
  });

  app.get('/api/v1/public/entries/:index', {
    config: PUBLIC,
    schema: {
      tags: ['public'], summary: 'A ledger entry (canonical JSON) and its leaf hash',
      params: { type: 'object', required: ['index'], additionalProperties: false, properties: { index: INDEX } },
      response: { 200: ENTRY, ...ERROR_RESPONSES },
    },
  }, async (req) => entryView(ledger, (req.params as { index: number }).index));

  app.get('/api/v1/public/attestations/:index', {
    config: PUBLIC,
    schema: {
      tags: ['public'], summary: 'A ledger entry with its inclusion proof in the latest checkpoint (or the committed tree)',
      params: { type: 'object', required: ['index'], additionalProperties: false, properties: { index: INDEX } },
      response: {
        200: { type: 'object', required: ['index', 'leafHash', 'entry', 'inclusion'], properties: { ...ENTRY.properties, inclusion: INCLUSION_PROOF, checkpoint: CHECKPOINT } },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req, reply) => {
    const index = (req.params as { index: number }).index;
    const head = await heads.head();
    const cp = head.checkpoint && head.checkpoint.treeSize > index ? head.checkpoint : undefined;
    // Only answers at a signed checkpoint are cached (the cosignature lines of a note may grow: keyed by note length).
    const key = cp && `${index}@${cp.treeSize}/${cp.note.length}`;
    const hit = key === undefined ? undefined : answers?.get(key);
    if (hit !== undefined) return reply.type('application/json; charset=utf-8').send(hit);
    const [entry, inclusion] = await Promise.all([entryText(index), inclusionView(ledger, index, cp?.treeSize)]);
    if (cp !== undefined && checkpointText?.head !== head) checkpointText = { head, text: serialize(checkpointBody(head, cp)) };
    const text = `${entry},"inclusion":${serialize(inclusion)}${cp !== undefined ? `,"checkpoint":${checkpointText!.text}` : ''}}`;
    if (key !== undefined) answers?.set(key, text);
    return reply.type('application/json; charset=utf-8').send(text);
  });

  app.get('/api/v1/public/proofs/inclusion', {
    config: PUBLIC,
    schema: {
      tags: ['public'], summary: 'RFC 9162 inclusion proof of leaf `index` in the tree of `treeSize` leaves (default: committed size)',
      querystring: { type: 'object', required: ['index'], additionalProperties: false, properties: { index: INDEX, treeSize: INDEX } },
      response: { 200: INCLUSION_PROOF, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const q = req.query as { index: number; treeSize?: number };
    return inclusionView(ledger, q.index, q.treeSize);
  });

  app.get('/api/v1/public/proofs/consistency', {
    config: PUBLIC,
    schema: {
      tags: ['public'], summary: 'RFC 9162 consistency proof between the trees of size1 and size2 leaves',
      querystring: { type: 'object', required: ['size1'], additionalProperties: false, properties: { size1: INDEX, size2: INDEX } },
      response: {
        200: {
          type: 'object', required: ['size1', 'size2', 'root1', 'root2', 'proof', 'hashAlg'],
          properties: { size1: { type: 'integer' }, size2: { type: 'integer' }, root1: { type: 'string' }, root2: { type: 'string' }, proof: { type: 'array', items: { type: 'string' } }, hashAlg: { type: 'string' } },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req) => {
    const q = req.query as { size1: number; size2?: number };
    const p = await ledger.proveConsistency(q.size1, q.size2);
    return { size1: p.size1, size2: p.size2, root1: toHex(p.root1), root2: toHex(p.root2), proof: p.proof.map(toHex), hashAlg: ledger.meta.hashAlg };
  });

  app.get('/api/v1/public/checkpoint', {
    config: PUBLIC,
    schema: { tags: ['public'], summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note) and the ledger verifier keys', response: { 200: CHECKPOINT, ...ERROR_RESPONSES } },
  }, async () => checkpointView(ledger));
};
