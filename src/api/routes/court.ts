/**
 * Court audience (role `court`). Court records of its own (§九, §十一, §十二): `POST /api/v1/court/records` attests
 * the SHA-256 and SM3 of a document / 送达回执 / e-file / case-closure status / enforcement operation with the court's
 * DID taken from its token. DECISION: the response waits for a fresh signed checkpoint and carries the inclusion proof
 * in it, so the court holds a self-contained receipt at once (court filings are few; a checkpoint costs two
 * signatures). Requesting a fresh attestation (a durable relay job) and its status are mounted when the relay is
 * given; verifying a lawyer's presentation when a `PresentationVerifier` is given.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { JobRow } from '../../../relay/jobs/types.js';
import type { CheckpointRow } from '../../ledger/store/types.js';
import { TtlLru } from '../../../did/lru.js';
import type { PresentationVerifier } from '../../../did/credentials/presentation.js';
import { toHex } from '../../crypto/bytes.js';
import { fail } from '../../errors.js';
import { subjectRef, type SubjectKind } from '../../ids/subject.js';
import { COURT_RECORD_KINDS, CourtRecords, DOCUMENT_TYPE_PATTERN, type CourtRecordInput } from '../court-records.js';
import type { ApiDeps } from '../deps.js';
import { ERROR_RESPONSES } from '../http-errors.js';
import { HeadCache, checkpointBody, courtRecordView, inclusionView } from '../ledger-views.js';
import { CHAIN_ID, CHECKPOINT, COURT_RECORD, HEX32, INCLUSION_PROOF, RECORD_TYPE } from '../schemas.js';
import { courtWebhookRoutes } from './court-webhooks.js';

const COURT = { roles: ['court'] } as const;

/**
 * A query time as stored (`toISOString`). RFC 3339 §5.6 `date-time` (ajv `format`) admits a leap second (`23:59:60`)
 * that `Date` cannot hold: it is a coded 400, not an Invalid Date throwing RangeError into a 500.
 */
function isoOf(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? fail('INVALID_INPUT', { field: `querystring.${field}`, reason: 'not a representable time (leap second?)' }) : new Date(t).toISOString();
}

/** The court plugin. */
export const courtRoutes: FastifyPluginAsync<ApiDeps> = async (app: FastifyInstance, deps: ApiDeps) => {
  const records = new CourtRecords(deps.ledger, deps.store);
  const heads = new HeadCache(deps.ledger);
  await records.repair();
  // One checkpoint signing at a time, shared by every write it covers: each write signing its own (SM2 + Ed25519,
  // root recomputed from stored nodes) made concurrent writes queue without bound (issue 7, load test).
  let signing: Promise<CheckpointRow> | undefined;
  const checkpointCovering = async (index: number): Promise<CheckpointRow> => {
    for (;;) {
      const cp = await (signing ??= deps.ledger.checkpoint().finally(() => { signing = undefined; }));
      if (cp.treeSize > index) return cp;
    }
  };

  app.post('/api/v1/court/records', {
    config: COURT,
    schema: {
      tags: ['court'], summary: 'Attest the SHA-256 and SM3 of a court document, service receipt, e-file, case closure or enforcement operation',
      body: {
        type: 'object', additionalProperties: false, required: ['kind', 'documentType', 'caseNumber', 'hashes'],
        properties: {
          kind: { type: 'string', enum: [...COURT_RECORD_KINDS] },
          documentType: { type: 'string', pattern: DOCUMENT_TYPE_PATTERN },
          caseNumber: { type: 'string', minLength: 1, maxLength: 64 },
          hashes: { type: 'object', additionalProperties: false, required: ['sha256', 'sm3'], properties: { sha256: HEX32, sm3: HEX32 } },
        },
      },
      response: {
        '2xx': {
          type: 'object', required: ['created', 'record', 'inclusion', 'checkpoint'],
          properties: { created: { type: 'boolean' }, record: COURT_RECORD, inclusion: INCLUSION_PROOF, checkpoint: CHECKPOINT },
        },
        ...ERROR_RESPONSES,
      },
    },
  }, async (req, reply) => {
    const body = req.body as CourtRecordInput;
    const hashes = { sha256: body.hashes.sha256.replace(/^0x/, ''), sm3: body.hashes.sm3.replace(/^0x/, '') };
    const { row, created } = await records.attest(req.principal!.did, { ...body, hashes });
    const cp = await checkpointCovering(row.ledgerIndex);
    const inclusion = await inclusionView(deps.ledger, row.ledgerIndex, cp.treeSize);
    // The head only lends its fixed fields (hash algorithm, origin, verifier keys): a cached one spares four reads per write.
    const checkpoint = checkpointBody(await heads.head(), { note: await deps.ledger.checkpointNote(cp.treeSize), treeSize: cp.treeSize, root: toHex(cp.root) });
    void reply.code(created ? 201 : 200);
    return { created, record: courtRecordView(row), inclusion, checkpoint };
  });

  const salt = deps.subjectSalt;
  if (salt) {
    const ROW = {
      type: 'object', required: ['ledgerIndex', 'attestationId', 'chainId', 'recordType', 'schemaId', 'domain', 'blockHeight', 'issuedAt'],
      properties: {
        ledgerIndex: { type: 'integer' }, attestationId: { type: 'string' }, chainId: { type: 'string' }, recordType: { type: 'string' },
        schemaId: { type: 'string' }, domain: { type: 'string' }, blockHeight: { type: 'integer' }, issuedAt: { type: 'string' },
      },
    } as const;
    app.get('/api/v1/court/attestations', {
      config: COURT,
      schema: {
        tags: ['court'], summary: 'Query attestations by subject (hashed as at ingest), case number, domain, record type, chain and time, paged by ledger index',
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            subjectKind: { type: 'string', enum: ['uscc', 'resident-id', 'case-number', 'text'] }, subject: { type: 'string', minLength: 1, maxLength: 128 },
            caseNumber: { type: 'string', minLength: 1, maxLength: 64 }, domain: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' },
            chainId: CHAIN_ID, recordType: RECORD_TYPE,
            from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' },
            after: { type: 'integer', minimum: -1, maximum: Number.MAX_SAFE_INTEGER }, limit: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
        response: { 200: { type: 'object', required: ['attestations'], properties: { attestations: { type: 'array', items: ROW }, next: { type: 'integer' } } }, ...ERROR_RESPONSES },
      },
    }, async (req) => {
      const q = req.query as { subjectKind?: SubjectKind; subject?: string; caseNumber?: string; domain?: string; chainId?: string; recordType?: string; from?: string; to?: string; after?: number; limit?: number };
      if ((q.subjectKind === undefined) !== (q.subject === undefined)) fail('INVALID_INPUT', { field: 'querystring.subject', reason: 'subjectKind and subject go together' });
      // Hashed exactly as at ingest (relay/attestation.ts → src/schema redactForLedger → src/ids subjectRef).
      const refs: string[] = [];
      if (q.subjectKind !== undefined) refs.push(subjectRef(q.subjectKind, q.subject, salt));
      if (q.caseNumber !== undefined) refs.push(subjectRef('case-number', q.caseNumber, salt));
      await records.repair();
      const limit = q.limit ?? 50;
      const rows = await deps.store.queryAttestations({
        subjectRefs: refs, chainId: q.chainId, recordType: q.recordType, domain: q.domain,
        from: isoOf(q.from, 'from'), to: isoOf(q.to, 'to'), after: q.after ?? -1, limit,
      });
      const attestations = rows.map(({ subjectRefs: _s, ...r }) => r);
      return rows.length === limit ? { attestations, next: rows.at(-1)!.ledgerIndex } : { attestations };
    });
  }

  const relay = deps.relay;
  if (relay) {
    const JOB = {
      type: 'object', required: ['id', 'state', 'chainId', 'recordType', 'blockHeight', 'attempts'],
      properties: {
        id: { type: 'integer' }, state: { type: 'string' }, chainId: { type: 'string' }, recordType: { type: 'string' }, blockHeight: { type: 'integer' },
        attempts: { type: 'integer' }, lastError: { type: ['string', 'null'] }, attestationId: { type: ['string', 'null'] }, ledgerIndex: { type: ['integer', 'null'] },
        receipt: { type: 'object', properties: { attestationId: { type: 'string' }, ledgerIndex: { type: 'integer' }, leafHash: { type: 'string' }, treeSize: { type: 'integer' } } },
      },
    } as const;
    const jobView = (j: JobRow) => ({ id: j.id, state: j.state, chainId: j.chainId, recordType: j.recordType, blockHeight: j.blockHeight, attempts: j.attempts, lastError: j.lastError, attestationId: j.attestationId, ledgerIndex: j.ledgerIndex });

    app.post('/api/v1/court/attestations', {
      config: COURT,
      schema: {
        tags: ['court'], summary: 'Request a fresh attestation of a partner-chain record (an async relay job; poll its status)',
        body: {
          type: 'object', additionalProperties: false, required: ['chainId', 'recordType', 'key'],
          properties: {
            chainId: CHAIN_ID, recordType: RECORD_TYPE,
            key: { type: 'string', minLength: 1, maxLength: 256 }, blockHeight: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          },
        },
        response: { 202: JOB, ...ERROR_RESPONSES },
      },
    }, async (req, reply) => {
      const b = req.body as { chainId: string; recordType: string; key: string; blockHeight?: number };
      const job = await relay.engine.enqueue({ chainId: b.chainId, recordType: b.recordType, key: b.key }, b.blockHeight);
      void reply.code(202);
      return jobView(job);
    });

    app.get('/api/v1/court/attestations/jobs/:id', {
      config: COURT,
      schema: {
        tags: ['court'], summary: 'Status of an attestation job; the receipt (ledger index, leaf hash) once done',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } },
        response: { 200: JOB, ...ERROR_RESPONSES },
      },
    }, async (req) => {
      const id = (req.params as { id: number }).id;
      const job = (await relay.store.job(id)) ?? fail('RELAY_JOB_NOT_FOUND', { id });
      const receipt = job.state === 'done' && job.attestationId ? await relay.store.receipt(job.attestationId) : undefined;
      return { ...jobView(job), ...(receipt ? { receipt: { attestationId: receipt.attestationId, ledgerIndex: receipt.ledgerIndex, leafHash: receipt.leafHash, treeSize: receipt.treeSize } } : {}) };
    });
  }

  await courtWebhookRoutes(app, deps);

  const bundles = deps.bundles;
  if (bundles) {
    app.get('/api/v1/court/attestations/:id/bundle', {
      config: COURT,
      schema: {
        tags: ['court'], summary: 'The evidence bundle of an attestation (schemas/evidence-bundle.json; verify offline with `courtbridge verify`)',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^0x[0-9a-f]{64}$' } } },
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { parties: { description: "Case parties' USCCs, comma-separated (利害关系 is determined against them)", type: 'string', pattern: '^[0-9A-Z]{18}(,[0-9A-Z]{18}){0,255}$' } },
        },
        response: { 200: { type: 'object', additionalProperties: true, required: ['type', 'bundleVersion'], properties: { type: { const: 'evidence-bundle' }, bundleVersion: { type: 'integer' } } }, ...ERROR_RESPONSES },
      },
    }, async (req) => {
      const parties = (req.query as { parties?: string }).parties;
      return bundles((req.params as { id: string }).id, { caseParties: parties === undefined ? [] : parties.split(',') });
    });
  }

  const makeVerifier = deps.presentations;
  if (makeVerifier) {
    // One verifier per court: a presentation is addressed to one court, and its nonce replay cache is that court's.
    const verifiers = new TtlLru<string, PresentationVerifier>(1024, 24 * 3600_000);
    const verifierFor = (did: string): PresentationVerifier => {
      let v = verifiers.get(did);
      if (!v) {
        v = makeVerifier(did);
        verifiers.set(did, v);
      }
      return v;
    };
    app.post('/api/v1/court/presentations/verify', {
      config: COURT,
      schema: {
        tags: ['court'], summary: "Verify a lawyer's presentation bound to the court's nonce (each step reported)",
        body: {
          type: 'object', additionalProperties: false, required: ['presentation', 'nonce'],
          properties: { presentation: { type: 'string', minLength: 1, maxLength: 65536 }, nonce: { type: 'string', minLength: 8, maxLength: 128 } },
        },
        response: {
          200: {
            type: 'object', required: ['ok'],
            properties: {
              ok: { type: 'boolean' }, holder: { type: 'string' }, errorCode: { type: 'string' },
              steps: { type: 'array', items: { type: 'object', additionalProperties: true } },
              credentials: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    }, async (req) => {
      const b = req.body as { presentation: string; nonce: string };
      const report = await verifierFor(req.principal!.did).verify(b.presentation, b.nonce);
      return { ok: report.ok, holder: report.holder, steps: report.steps, errorCode: report.error?.code, credentials: report.credentials };
    });
  }
};
