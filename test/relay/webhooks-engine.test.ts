/**
 * End to end through the relay engine: a subscription's new record is attested (real ledger, real relay store, real
 * pipeline) and the engine's webhook worker delivers it, signed, to a real node:http receiver. The partner chain is a
 * test double (depth rule, stub record verifier: this test is about the receipt → outbox → delivery path, not proofs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex0x } from '../../src/crypto/bytes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier } from '../../did/jwt.js';
import type { Adapter, FollowEvent, FollowOptions, Registration, SourceEvidence, VerifiedRecord } from '../../adapters/types.js';
import { jsonDigest } from '../../relay/attestation.js';
import { RelayEngine } from '../../relay/engine.js';
import type { RelayChain } from '../../relay/pipeline.js';
import { WebhookDeliverer } from '../../relay/webhooks/deliver.js';
import { openWebhookStore } from '../../relay/webhooks/open.js';
import { verifyDelivery } from '../../relay/webhooks/signature.js';
import type { WebhookStore } from '../../relay/webhooks/types.js';
import { identity } from '../did/fixtures.js';
import { subjectRef } from '../../src/ids/subject.js';
import { ENTERPRISE_SCHEMA, SALT, enterprise, hubKey, openBackend, uscc, type Backend } from './helpers.js';
import { startReceiver, until } from './webhook-helpers.js';

const CHAIN = 'eip155:424242';
const hashAt = (h: number) => toHex0x(sha256(new TextEncoder().encode(`block ${h}`)));

/** A depth-rule chain double: one enterprise record per height, reported to followers. */
class DoubleAdapter implements Adapter {
  readonly chainId = CHAIN;
  readonly kind = 'evm' as const;
  readonly events: FollowEvent[] = [];
  async finalizedHead() { return { height: 10, hash: hashAt(10), timestamp: 0 }; }
  async fetchRecord(ref: { chainId: string; recordType: string; key: string }, at?: number): Promise<SourceEvidence> {
    return { kind: 'evm-storage', chainId: CHAIN, recordType: ref.recordType, key: ref.key, height: at } as unknown as SourceEvidence;
  }
  async follow(opts: FollowOptions, onEvent: (e: FollowEvent) => void | Promise<void>): Promise<void> {
    for (const e of this.events) if (e.head.height > (opts.fromHeight ?? 0)) await onEvent(e);
    await new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r(), { once: true }));
  }
  async close() {}
}

function stubVerifier(evidence: SourceEvidence): VerifiedRecord {
  const e = evidence as unknown as { recordType: string; key: string; height: number };
  const record = enterprise(Number(e.key.slice(10, 17).replace(/\D/g, '')));
  return {
    chainId: CHAIN, recordType: e.recordType, key: e.key, height: e.height, blockHash: hashAt(e.height), record, recordDigest: jsonDigest(record),
    evidenceDigest: jsonDigest(evidence), finality: { rule: 'depth', trust: 'rpc-depth' },
  };
}

describe('relay engine → webhook (SQLite file, chain test double)', () => {
  let backend: Backend;
  let hooks: WebhookStore;
  beforeAll(async () => {
    backend = await openBackend('sqlite');
    hooks = await openWebhookStore(backend.ledgerStore);
  });
  afterAll(async () => backend?.close());

  it('a followed record is attested and delivered once, signed by the hub, with its receipt', async () => {
    const adapter = new DoubleAdapter();
    const registration = { chainId: CHAIN, kind: 'evm', rpc: [], finality: { rule: 'depth', confirmations: 1 }, recordTypes: { enterprise: { schemaId: ENTERPRISE_SCHEMA, mapping: { kind: 'evm-storage' } } } } as unknown as Registration;
    const chain: RelayChain = { registration, adapter, initialTrust: () => ({ kind: 'evm-depth', chainId: CHAIN, minConfirmations: 1 }) };
    const hub = hubKey();
    const court = identity('ES256');
    const verifier = new JwtVerifier(new DidResolver());
    const receiver = await startReceiver(async (token, body, url) => (await verifyDelivery(verifier, token, body, { audience: court.did, issuers: [hub.did], url })).deliveryId);
    const webhooks = new WebhookDeliverer({ store: hooks, signer: hub.signer, issuer: hub.did, salt: SALT, urlPolicy: { allowHttpLocalhost: true }, pollMs: 50, backoff: { baseMs: 20, capMs: 50 } });
    const engine = new RelayEngine({
      ledger: backend.ledger, store: backend.relayStore, chains: async (id) => (id === CHAIN ? chain : undefined), verifier: stubVerifier,
      signer: hub.signer, relayDid: hub.did, salt: SALT, pollMs: 20, maxAttempts: 2, webhooks,
    });
    try {
      expect(await hooks.create({ id: `wh_${'a'.repeat(32)}`, ownerDid: court.did, url: receiver.url, chainId: CHAIN, recordType: 'enterprise', createdAt: Date.now() }, 10)).toBe(true);
      await engine.subscribe(CHAIN, 'enterprise', 10);
      adapter.events.push({ ref: { chainId: CHAIN, recordType: 'enterprise', key: uscc(11) }, head: { height: 11, hash: hashAt(11), timestamp: 0 } });
      await engine.start();
      await until(() => receiver.processed.size === 1, 20_000, 'a delivery');
      const [body] = [...receiver.processed.values()];
      const receipt = await backend.relayStore.receipt(String(body!.attestationId));
      expect(receipt).toBeDefined();
      expect(body).toMatchObject({ chainId: CHAIN, recordType: 'enterprise', keyRef: subjectRef('text', uscc(11), SALT), blockHeight: 11, ledgerIndex: receipt!.ledgerIndex, treeSize: receipt!.treeSize });
      expect(receiver.requests.map((r) => r.verifyError)).toEqual([undefined]);
      // The same record requested again by a court: same attestation, no second delivery.
      await engine.attest({ chainId: CHAIN, recordType: 'enterprise', key: uscc(11) }, { at: 11 });
      await webhooks.runOnce();
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await engine.stop();
      await receiver.close();
    }
  }, 30_000);
});
