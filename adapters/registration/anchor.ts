/**
 * What other parts read from an approved registration: the light-client trust anchor (src/proofs/lightclient
 * `TrustAnchor`, from which `createTrustState` builds the chain's TrustState) and the adapters' read-only
 * `Registration` view (adapters/types.ts).
 */
import type { TrustAnchor } from '../../src/proofs/lightclient/state.js';
import type { ChainKind, ValidatorMember } from '../../src/proofs/lightclient/types.js';
import { makeValidatorSet } from '../../src/proofs/lightclient/validator-set.js';
import type { FinalityRule, RecordTypeRegistration, Registration } from '../types.js';
import type { RegistrationDocument } from './types.js';

/** Light-client kind per finality rule; `depth` has none (no finality certificate to verify). */
export const LIGHT_CLIENT_KIND: Readonly<Record<FinalityRule['rule'], ChainKind | undefined>> = {
  qbft: 'evm-qbft',
  ibft2: 'evm-ibft2',
  clique: 'evm-clique',
  grandpa: 'substrate-grandpa',
  'bft-qc': 'bft-qc',
  depth: undefined,
};

/** The light-client trust anchor of a (parsed) registration; undefined for the depth rule without an anchor. */
export function trustAnchorOf(doc: RegistrationDocument): TrustAnchor | undefined {
  const a = doc.trustAnchor;
  const kind = LIGHT_CLIENT_KIND[doc.finality.rule];
  if (a === undefined || kind === undefined) return undefined;
  const members: ValidatorMember[] = a.validatorSet.members.map((m) => ({ ...m }));
  return {
    chainId: doc.chainId,
    kind,
    trustingPeriod: a.trustingPeriod,
    header: {
      chainId: doc.chainId,
      kind,
      height: a.header.height,
      hash: a.header.hash,
      parentHash: a.header.parentHash,
      stateRoot: a.header.stateRoot,
      ...(a.header.timestamp === undefined ? {} : { timestamp: a.header.timestamp }),
    },
    validatorSet: makeValidatorSet(kind, members, a.validatorSet.setId),
    ...(a.setFromHeight === undefined ? {} : { setFromHeight: a.setFromHeight }),
  };
}

/**
 * The adapters' view of a registration. Record types whose mapping no built-in adapter fetches (`evm-event`) are
 * left out of `recordTypes` and listed in `unsupported`.
 */
export function adapterRegistrationOf(doc: RegistrationDocument): { registration: Registration; unsupported: string[] } {
  const recordTypes: Record<string, RecordTypeRegistration> = {};
  const unsupported: string[] = [];
  for (const rt of doc.recordTypes) {
    if (rt.mapping.kind === 'evm-event') unsupported.push(rt.name);
    else recordTypes[rt.name] = { schemaId: rt.schemaId, mapping: rt.mapping };
  }
  const registration: Registration = {
    chainId: doc.chainId,
    kind: doc.kind,
    rpc: doc.endpoints.map((url) => ({ url })),
    finality: doc.finality,
    ...(doc.trustAnchor === undefined ? {} : { trustAnchor: JSON.parse(JSON.stringify(trustAnchorOf(doc) ?? null)) }),
    recordTypes,
  };
  return { registration, unsupported };
}
