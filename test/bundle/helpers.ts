/**
 * Evidence-bundle test world on real parts (reusing the relay e2e setup, test/relay): anvil + the EnterpriseInfoRegistry
 * contract + the real `evm` adapter, the BFT simulator as a separate process, both chains registered by their partner
 * DIDs and approved by 2 of 3 administrators (RegistrationService), the relay resolving them from the same SQLite
 * database (relay/registered-chains.ts), the ledger and relay tables in that SQLite file.
 */
import { verifySourceEvidence } from '../../src/proofs/evidence.js';
import { JwtVerifier } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { simulatorTrustAnchor } from '../../adapters/bft/simulator/genesis.js';
import type { SimulatorProcess } from '../../adapters/bft/simulator/spawn.js';
import { signApproval, signRegistration } from '../../adapters/registration/jws.js';
import { registrationDigest } from '../../adapters/registration/parse.js';
import { RegistrationService } from '../../adapters/registration/service.js';
import { openRegistrationStore, type RegistrationStore } from '../../adapters/registration/store.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import { RelayEngine } from '../../relay/engine.js';
import { registeredChains, type RegisteredChains } from '../../relay/registered-chains.js';
import { buildEvidenceBundle, type BundleSources } from '../../src/bundle/build.js';
import type { EvidenceBundle } from '../../src/bundle/types.js';
import { bftDocument, evmDocument, identity, localResolver, webIdentity, type Identity } from '../adapters/registration/fixtures.js';
import { MAPPING, RECORD_TYPE, addBlock, copyright, startSimulator } from '../adapters/bft/helpers.js';
import { ENTERPRISE_SCHEMA, SALT, hubKey, openBackend, startPartnerChain, uscc, type Backend, type PartnerChain } from '../relay/helpers.js';

const COPYRIGHT_SCHEMA = 'https://courtbridge.example/schemas/domain/ip/copyright-registration/v1';

/** The simulator's genesis as a registration trust anchor (document form). */
function simAnchor(): NonNullable<RegistrationDocument['trustAnchor']> {
  const a = simulatorTrustAnchor();
  return {
    type: 'genesis',
    trustingPeriod: a.trustingPeriod,
    header: { height: a.header.height, hash: a.header.hash, parentHash: a.header.parentHash, stateRoot: a.header.stateRoot, timestamp: a.header.timestamp! },
    validatorSet: { members: a.validatorSet.members.map((m) => ({ id: m.id, weight: m.weight, alg: m.alg!, publicKey: m.publicKey! })) },
  };
}

/**
 * The two registration documents of the world (shared with test/relay/e2e-registered.test.ts): the BFT simulator at
 * `simUrl` as the copyright chain (its genesis as trust anchor) and the anvil partner chain (depth finality, no anchor).
 */
export function worldDocuments(bftPartner: string, evmPartner: string, simUrl: string, chain: PartnerChain): { bftDoc: RegistrationDocument; evmDoc: RegistrationDocument } {
  const bftDoc = bftDocument(bftPartner, {
    chainId: 'bft:copyright-sim', name: '版权链（模拟器）/ copyright chain (simulator)', domain: 'ip', endpoints: [simUrl], trustAnchor: simAnchor(),
    recordTypes: [{ name: RECORD_TYPE, schemaId: COPYRIGHT_SCHEMA, mapping: MAPPING }], rateLimit: { requestsPerSecond: 500, burst: 500 },
  });
  const { trustAnchor: _none, ...evmDoc } = evmDocument(evmPartner, {
    chainId: chain.chainId, domain: 'market', endpoints: [chain.anvil.url], finality: { rule: 'depth', confirmations: chain.confirmations },
    recordTypes: [{ name: 'enterprise', schemaId: ENTERPRISE_SCHEMA, mapping: chain.registration().recordTypes.enterprise!.mapping }],
    rateLimit: { requestsPerSecond: 500, burst: 500 },
  });
  return { bftDoc, evmDoc };
}

/** The running world. */
export interface BundleWorld {
  chain: PartnerChain;
  sim: SimulatorProcess;
  backend: Backend;
  regStore: RegistrationStore;
  service: RegistrationService;
  chains: RegisteredChains;
  engine: RelayEngine;
  hub: ReturnType<typeof hubKey>;
  evmDoc: RegistrationDocument;
  bftDoc: RegistrationDocument;
  evmRef(i: number): { chainId: string; recordType: string; key: string };
  bftRef(n: number): { chainId: string; recordType: string; key: string };
  sources(): BundleSources;
  close(): Promise<void>;
}

/**
 * Start everything (≈ 2–4 s) on a SQLite file, or on a PostgreSQL schema of its own (`pgUrl`). `opts.webPartner`: the
 * EVM chain's partner is a did:web DID (its document resolved from memory), whose signature bundles cannot check offline.
 */
export async function startWorld(kind: 'sqlite' | 'postgres' = 'sqlite', pgUrl?: string, opts: { webPartner?: boolean } = {}): Promise<BundleWorld> {
  const chain = await startPartnerChain(4);
  const sim = await startSimulator();
  const backend = await openBackend(kind, pgUrl);
  const regStore = await openRegistrationStore(kind === 'sqlite'
    ? { kind: 'sqlite', path: backend.env.COURTBRIDGE_STORE! }
    : { kind: 'postgres', url: pgUrl!, schema: backend.env.COURTBRIDGE_PG_SCHEMA! });
  const admins: Identity[] = [identity('Ed25519'), identity('SM2'), identity('Ed25519')];
  const web = opts.webPartner ? webIdentity('credit-partner.example') : undefined;
  const evmPartner: Identity = web ?? identity('Ed25519');
  const resolver = web ? localResolver([web.doc]) : new DidResolver();
  const service = new RegistrationService({ store: regStore, sink: backend.ledger, verifier: new JwtVerifier(resolver), admins: admins.map((a) => a.did), threshold: 2 });
  const submit = async (doc: RegistrationDocument, partner: Identity) => {
    await service.submit(await signRegistration(doc, partner.signer));
    const digest = registrationDigest(doc);
    for (const a of admins.slice(0, 2)) await service.approve(await signApproval({ admin: a.did, chainId: doc.chainId, version: doc.version, digest }, a.signer));
  };
  const bftPartner = identity('SM2');
  const { bftDoc, evmDoc } = worldDocuments(bftPartner.did, evmPartner.did, sim.url, chain);
  await submit(bftDoc, bftPartner);
  await submit(evmDoc, evmPartner);
  const hub = hubKey();
  const chains = registeredChains({ store: regStore, refreshMs: 50 });
  const engine = new RelayEngine({
    ledger: backend.ledger, store: backend.relayStore, chains, verifier: verifySourceEvidence, signer: hub.signer, relayDid: hub.did,
    salt: SALT, pollMs: 20, leaseMs: 10_000, maxAttempts: 3, backoff: { baseMs: 20, capMs: 100, minMs: 5 },
  });
  await engine.start();
  return {
    chain, sim, backend, regStore, service, chains, engine, hub, evmDoc, bftDoc,
    evmRef: (i) => ({ chainId: chain.chainId, recordType: 'enterprise', key: uscc(i) }),
    bftRef: (n) => ({ chainId: bftDoc.chainId, recordType: RECORD_TYPE, key: copyright(n).registrationNumber as string }),
    sources: () => ({ ledger: backend.ledger, relayStore: backend.relayStore, registrations: service, chains }),
    close: async () => {
      await engine.stop();
      await chains.close();
      await regStore.close();
      await backend.close();
      await sim.stop();
      await chain.anvil.stop();
    },
  };
}

/** One EVM bundle (record 2, the court naming party USCC 7) and one BFT bundle (copyright 5 in a new block) of `w`. */
export async function twoBundles(w: BundleWorld): Promise<{ evm: EvidenceBundle; bft: EvidenceBundle }> {
  const r = await w.engine.attest(w.evmRef(2), { timeoutMs: 30_000 });
  const evm = await buildEvidenceBundle(w.sources(), r.receipt.attestationId, { caseParties: [uscc(7)] });
  await addBlock(w.sim.url, [copyright(5)]);
  const b = await w.engine.attest(w.bftRef(5), { timeoutMs: 30_000 });
  return { evm, bft: await buildEvidenceBundle(w.sources(), b.receipt.attestationId) };
}
