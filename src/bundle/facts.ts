/**
 * The court facts of a bundle (在线诉讼规则 Arts 16–19: the source platform, its operator, 利害关系, the technical
 * means and the time source; 互联网法院规定 Art 11: how the data was extracted and whether the process can be
 * repeated). They are DERIVED — from the registration document, the source evidence, the attestation, the ledger
 * part and the case parties the court named — by this one pure function, which the builder uses to write them and
 * the verifier to re-derive and compare them. So a changed fact is a detected inconsistency, not a silent edit.
 */
import { fail } from '../errors.js';
import { normalizeUscc } from '../ids/uscc.js';
import { bytesEqual, fromBase64 } from '../crypto/bytes.js';
import { NOTE_KEY_TYPES, type NoteKeyType } from '../ledger/note.js';
import type { JsonValue, SourceEvidence } from '../../adapters/types.js';
import type { RegistrationDocument } from '../../adapters/registration/types.js';
import type { Attestation } from '../../relay/attestation.js';
import type { CourtFacts, ExtractionCall } from './types.js';

/** Most case parties a request may name. */
export const MAX_CASE_PARTIES = 256;

/** JWS `alg` → human description of the attestation signature suite. */
const ATTESTATION_SUITES: Readonly<Record<string, string>> = {
  EdDSA: 'Ed25519 (RFC 8032), detached JWS (RFC 7515) over RFC 8785 canonical JSON',
  ES256K: 'ECDSA secp256k1 / SHA-256, detached JWS (RFC 7515) over RFC 8785 canonical JSON',
  ES256: 'ECDSA P-256 / SHA-256, detached JWS (RFC 7515) over RFC 8785 canonical JSON',
  SM2SM3: 'SM2 / SM3 (GB/T 32918), detached JWS (RFC 7515) over RFC 8785 canonical JSON',
};

/**
 * An endpoint without credentials: no user info, query or fragment, and path segments that look like API tokens
 * (≥ 24 characters of [A-Za-z0-9_-]) replaced by `<redacted>`.
 */
export function stripCredentials(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<invalid url>';
  }
  const path = u.pathname.split('/').map((s) => (/^[A-Za-z0-9_-]{24,}$/.test(s) ? '<redacted>' : s)).join('/');
  return `${u.protocol}//${u.host}${path === '/' ? '' : path}`;
}

/** The type of a note verifier key, read from its type prefix (cheap: no verifier is built; the checkpoint step checks the key). */
export function noteKeyType(vkey: string): NoteKeyType {
  const material = fromBase64(vkey.split('+').slice(2).join('+'), 'verifierKey');
  for (const [type, prefix] of Object.entries(NOTE_KEY_TYPES) as [NoteKeyType, Uint8Array][]) {
    if (material.length > prefix.length && bytesEqual(material.subarray(0, prefix.length), prefix)) return type;
  }
  return fail('BAD_VERIFIER_KEY', { reason: 'unknown key type' });
}

const hexQuantity = (n: number): string => `0x${n.toString(16)}`;

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** The JSON-RPC calls that fetch `evidence` again (the adapters' exact methods and parameters). */
export function extractionCalls(evidence: SourceEvidence, height: number, blockHash: string, validatorSetChain: readonly JsonValue[], anchorHeight: number): ExtractionCall[] {
  switch (evidence.kind) {
    case 'evm-storage': {
      const tag = hexQuantity(height);
      const calls: ExtractionCall[] = [
        { method: 'eth_getBlockByNumber', params: [tag, false] },
        { method: 'eth_getProof', params: [evidence.contract, evidence.slots.map((s) => s.slot), tag] },
      ];
      const f = evidence.finality;
      if (f.rule === 'depth' || f.rule === 'clique') for (const d of f.descendants) calls.push({ method: 'eth_getBlockByNumber', params: [str(d.number), false] });
      return calls;
    }
    case 'bft-merkle': {
      const calls: ExtractionCall[] = [];
      if (validatorSetChain.length > 0) {
        calls.push({ method: 'bft_getHandovers', params: [anchorHeight] });
        for (const u of validatorSetChain) {
          const h = (u as { header?: { height?: JsonValue } } | null)?.header?.height;
          calls.push({ method: 'bft_getBlock', params: [typeof h === 'number' ? h : -1] });
        }
      }
      calls.push({ method: 'bft_getRecord', params: [evidence.recordType, evidence.key, height] }, { method: 'bft_getBlock', params: [height] });
      return calls;
    }
    case 'substrate-storage':
      return [
        { method: 'chain_getHeader', params: [blockHash] },
        { method: 'state_getReadProof', params: [[evidence.storageKey], blockHash] },
      ];
    default: {
      const never: never = evidence;
      return fail('UNKNOWN_TYPE', { type: String((never as { kind: string }).kind) });
    }
  }
}

function blockTimestamp(evidence: SourceEvidence): JsonValue {
  switch (evidence.kind) {
    case 'evm-storage':
      return evidence.block.timestamp ?? null;
    case 'bft-merkle':
      return evidence.header.timestamp ?? null;
    default:
      return null; // Substrate headers carry no time.
  }
}

function finalityText(doc: RegistrationDocument): string {
  const f = doc.finality;
  if (f.rule === 'depth') return `depth: ${f.confirmations} confirmations (RPC depth only — weaker trust, no finality certificate)`;
  if (f.rule === 'clique') return `clique: signer seals + ${f.confirmations} confirmations (light client from the registered trust anchor)`;
  return `${f.rule}: finality certificate checked by the light client from the registered trust anchor`;
}

/** What the court named in its request. */
export interface CourtInput {
  /** 统一社会信用代码 of the case's parties (any order; normalised). */
  caseParties?: readonly string[];
}

/** Normalise the case parties (GB 32100 check characters verified), sorted and without duplicates. */
export function normalizeParties(parties: readonly string[] | undefined): string[] {
  if (parties === undefined) return [];
  if (!Array.isArray(parties) || parties.length > MAX_CASE_PARTIES) fail('TOO_LARGE', { field: 'caseParties', limit: MAX_CASE_PARTIES });
  return [...new Set(parties.map((p, i) => normalizeUscc(p, `caseParties[${i}]`)))].sort();
}

/** Everything the facts derive from. */
export interface FactSources {
  doc: RegistrationDocument;
  evidence: SourceEvidence;
  attestation: Attestation;
  /** JWS `alg` of the attestation signature. */
  jwsAlg: string;
  ledger: { hashAlg: string; verifierKeys: readonly string[]; treeSize: number };
  validatorSetChain: readonly JsonValue[];
  court: CourtInput;
}

/** Derive the court facts (pure; the verifier calls it again and compares). */
export function deriveFacts(s: FactSources): CourtFacts {
  const { doc, attestation: att } = s;
  const parties = normalizeParties(s.court.caseParties);
  const operatorUscc = normalizeUscc(doc.platform.operatorUscc, 'platform.operatorUscc');
  const isParty = parties.length === 0 ? null : parties.includes(operatorUscc);
  const determination = isParty === null
    ? '法院请求未列明案件当事人，未作判断 / the court named no case parties in its request: not determined'
    : `将平台运营者统一社会信用代码与法院请求所列 ${parties.length} 名案件当事人的统一社会信用代码逐一比对 / the operator's USCC was compared with the USCCs of the ${parties.length} case parties named in the court's request`;
  const declared = (doc.platform as { preChainProvenance?: unknown }).preChainProvenance;
  const noteKeyTypes = [...new Set(s.ledger.verifierKeys.map(noteKeyType))].sort();
  const anchorHeight = doc.trustAnchor?.header.height ?? 0;
  return {
    sourcePlatform: { name: doc.name, chainId: doc.chainId, domain: doc.domain, filingNumber: doc.platform.filingNumber, securityLevel: doc.platform.securityLevel },
    operator: { name: doc.platform.operatorName, uscc: operatorUscc, did: doc.partner },
    interest: { caseParties: parties, operatorIsParty: isParty, determination },
    cryptoSuite: {
      partnerChain: { hash: [...doc.platform.cryptoSuite.hash], signature: [...doc.platform.cryptoSuite.signature] },
      attestation: ATTESTATION_SUITES[s.jwsAlg] ?? fail('UNSUPPORTED_ALGORITHM', { alg: s.jwsAlg }),
      ledger: { hashAlg: s.ledger.hashAlg, noteKeyTypes },
    },
    timeSource: {
      attestationIssuedAt: att.issuedAt,
      issuedAtSource: '中继节点系统时钟（UTC），记录经验证时 / the relay hub clock (UTC) when it verified the record; bounded above by the signed ledger checkpoint',
      blockHeight: att.source.blockHeight,
      blockTimestamp: blockTimestamp(s.evidence),
      checkpointTreeSize: s.ledger.treeSize,
    },
    preChainProvenance: typeof declared === 'string' && declared.length > 0
      ? { declared: true, statement: declared }
      : { declared: false, statement: '平台登记文件未声明数据上链前的来源 / the registration does not declare how records enter the partner chain' },
    extraction: {
      endpoints: doc.endpoints.map(stripCredentials),
      finality: finalityText(doc),
      calls: extractionCalls(s.evidence, att.source.blockHeight, att.source.blockHash, s.validatorSetChain, anchorHeight),
    },
  };
}
