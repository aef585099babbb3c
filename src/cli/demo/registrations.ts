/**
 * Part 2 of the demo: the three partner chains are registered through adapters/registration — each document signed
 * (JWS) by its partner's did:key, approved by 2 of 3 consortium administrators (distinct DIDs, every event in the
 * ledger) — and the relay's chains are built from the ACTIVE registrations only (their approved trust anchors).
 */
import { generateKeyPair, type SigAlg } from '../../crypto/signature.js';
import { orgCodeCheckChar, usccCheckChar } from '../../ids/uscc.js';
import { fail } from '../../errors.js';
import { createTrustState } from '../../proofs/lightclient/state.js';
import { didKeyFromPublicKey } from '../../../did/key.js';
import { keyPairSigner, type JwsSigner, type JwtVerifier } from '../../../did/jwt.js';
import { simulatorTrustAnchor } from '../../../adapters/bft/simulator/genesis.js';
import { signApproval, signRegistration } from '../../../adapters/registration/jws.js';
import { registrationDigest } from '../../../adapters/registration/parse.js';
import { adapterRegistrationOf, trustAnchorOf } from '../../../adapters/registration/anchor.js';
import { RegistrationService } from '../../../adapters/registration/service.js';
import type { RegistrationStore } from '../../../adapters/registration/store.js';
import type { RegistrationDocument, RegistrationEventSink } from '../../../adapters/registration/types.js';
import type { ChainEntry } from '../../../relay/setup.js';
import { CONFIRMATIONS, ENTERPRISE_FIELDS, type DemoChains } from './chains.js';
import { say } from './ui.js';

/** A did:key identity with its JWS signer. */
export interface DemoIdentity {
  did: string;
  signer: JwsSigner;
}

/** A fresh did:key identity (demo keys, never persisted). */
export function demoIdentity(alg: SigAlg = 'Ed25519'): DemoIdentity {
  const kp = generateKeyPair(alg);
  const did = didKeyFromPublicKey(alg, kp.publicKey);
  return { did, signer: keyPairSigner(kp, `${did}#${did.slice('did:key:'.length)}`) };
}

const operatorUscc = (body8: string): string => {
  const first17 = `91110108${body8}${orgCodeCheckChar(body8)}`;
  return `${first17}${usccCheckChar(first17)}`;
};

const SCHEMA = 'https://courtbridge.example/schemas/domain';

/** The three registration documents for the started chains. */
export function demoDocuments(c: DemoChains, partners: { market: string; credit: string; copyright: string }): RegistrationDocument[] {
  const base = { type: 'courtbridge.adapter-registration', version: 1, rateLimit: { requestsPerSecond: 200, burst: 200 } } as const;
  const a = simulatorTrustAnchor();
  return [
    {
      ...base, partner: partners.market, chainId: c.market.chainId, kind: 'evm', name: '市场监管链（本地 anvil）/ market supervision chain (local anvil)', domain: 'market',
      endpoints: [c.market.anvil.url], finality: { rule: 'depth', confirmations: CONFIRMATIONS },
      recordTypes: [{
        name: 'enterprise', schemaId: `${SCHEMA}/market/enterprise-basic-info/v1`,
        mapping: { kind: 'evm-storage', contract: c.market.contract, mappingSlot: 0, keyType: 'bytes32-utf8', fields: ENTERPRISE_FIELDS.map((name, slot) => ({ name, type: 'string', slot })) },
      }],
      platform: { filingNumber: '闽网信备35010219194755230011号', operatorName: '某市市场监督管理局信息中心', operatorUscc: operatorUscc('MA01ABCD'), cryptoSuite: { hash: ['keccak256'], signature: ['ES256K'] }, securityLevel: 3 },
    },
    {
      ...base, partner: partners.credit, chainId: c.credit.chainId, kind: 'evm', name: '信用平台链（本地 anvil）/ credit platform chain (local anvil)', domain: 'credit',
      endpoints: [c.credit.anvil.url], finality: { rule: 'depth', confirmations: CONFIRMATIONS },
      recordTypes: [{
        name: 'dishonest-debtor', schemaId: `${SCHEMA}/credit/dishonest-debtor-listing/v1`,
        mapping: {
          kind: 'evm-storage', contract: c.credit.contract, mappingSlot: 0, keyType: 'bytes32',
          fields: [{ name: 'caseHash', type: 'bytes32', slot: 0 }, { name: 'listedAt', type: 'uint64', slot: 1 }, { name: 'active', type: 'bool', slot: 1, offset: 8 }],
        },
      }],
      platform: { filingNumber: '粤网信备44030524273626860016号', operatorName: '某某信用服务有限公司', operatorUscc: operatorUscc('MA02WXY9'), cryptoSuite: { hash: ['keccak256'], signature: ['ES256K'] }, securityLevel: 3 },
    },
    {
      ...base, partner: partners.copyright, chainId: c.copyright.chainId, kind: 'bft', name: '版权链（模拟器）/ copyright chain (simulator)', domain: 'ip',
      endpoints: [c.copyright.sim.url], finality: { rule: 'bft-qc' },
      trustAnchor: {
        type: 'genesis', trustingPeriod: a.trustingPeriod,
        header: { height: a.header.height, hash: a.header.hash, parentHash: a.header.parentHash, stateRoot: a.header.stateRoot, timestamp: a.header.timestamp! },
        validatorSet: { members: a.validatorSet.members.map((m) => ({ id: m.id, weight: m.weight, alg: m.alg!, publicKey: m.publicKey! })) },
      },
      recordTypes: [{ name: 'copyright-registration', schemaId: `${SCHEMA}/ip/copyright-registration/v1`, mapping: { kind: 'bft-merkle', keyField: 'registrationNumber' } }],
      platform: { filingNumber: '京网信备11010819194755230012号', operatorName: '某某版权服务有限公司', operatorUscc: operatorUscc('MA03QRT7'), cryptoSuite: { hash: ['sm3', 'sha256'], signature: ['SM2', 'Ed25519'] }, securityLevel: 3 },
    },
  ];
}

/** Register and approve the three chains; returns the service and the relay's chain entries built from the active registrations. */
export async function registerChains(c: DemoChains, store: RegistrationStore, sink: RegistrationEventSink, verifier: JwtVerifier): Promise<{ service: RegistrationService; entries: ChainEntry[] }> {
  const admins = [demoIdentity('Ed25519'), demoIdentity('SM2'), demoIdentity('Ed25519')];
  const service = new RegistrationService({ store, sink, verifier, admins: admins.map((x) => x.did), threshold: 2 });
  const partners = { market: demoIdentity('Ed25519'), credit: demoIdentity('ES256K'), copyright: demoIdentity('SM2') };
  say(`   administrators (2 of 3 must approve): ${admins.map((x) => `${x.did.slice(0, 24)}…`).join(', ')}`);
  const entries: ChainEntry[] = [];
  for (const doc of demoDocuments(c, { market: partners.market.did, credit: partners.credit.did, copyright: partners.copyright.did })) {
    const partner = Object.values(partners).find((p) => p.did === doc.partner)!;
    const submitted = await service.submit(await signRegistration(doc, partner.signer));
    const digest = registrationDigest(doc);
    let activated = false;
    for (const admin of admins.slice(0, 2)) {
      const out = await service.approve(await signApproval({ admin: admin.did, chainId: doc.chainId, version: doc.version, digest }, admin.signer));
      activated = out.activated;
    }
    const active = await service.active(doc.chainId);
    if (!activated || active === undefined) fail('INTERNAL', { reason: `registration of ${doc.chainId} was not activated` });
    say(`   ${doc.chainId.padEnd(18)} ${doc.kind.padEnd(4)} signed by ${partner.did.slice(0, 20)}… (ledger #${submitted.submittedIndex}), approved 2/3 → active (ledger #${active.activationIndex})`);
    // The relay's view of the ACTIVE version: its adapter registration and its approved trust anchor.
    const { registration } = adapterRegistrationOf(active.document);
    const anchor = trustAnchorOf(active.document);
    entries.push(anchor === undefined ? { registration } : { registration, trust: createTrustState(anchor, Math.floor(Date.now() / 1000)) });
  }
  return { service, entries };
}
