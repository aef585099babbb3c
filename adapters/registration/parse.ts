/**
 * Parse a registration document once, at the edge, as an ordered list of named steps; every failure is
 * REGISTRATION_INVALID naming the field (`details.field`, a JSON pointer) and, where a more specific check failed,
 * its own code in `details.code` (USCC_INVALID, SCHEMA_UNKNOWN, TRUST_STATE_INVALID, …):
 *   1. JSON Schema 2020-12 (schemas/adapter-registration.json, through src/schema's registry; the operator's USCC is
 *      checked there by `x-identifier: uscc`, GB 32100-2015)
 *   2. RPC endpoints: https / wss, or http / ws on a loopback host only; no credentials in the URL
 *   3. record types: unique names; each schema id is loaded and belongs to the registration's domain
 *   4. CAC filing number: the province abbreviation agrees with the division code it carries
 *   5. trust anchor: genesis at height 0; the validator set and anchor build a light-client TrustState
 */
import { canonicalBytes } from '../../src/crypto/canonical.js';
import { sha256 } from '../../src/crypto/hash.js';
import { toHex } from '../../src/crypto/bytes.js';
import { fail, isCourtBridgeError } from '../../src/errors.js';
import { schemaRegistry } from '../../src/schema/registry.js';
import { createTrustState } from '../../src/proofs/lightclient/state.js';
import { REGISTRATION_SCHEMA_ID, type RegistrationDocument } from './types.js';
import { trustAnchorOf } from './anchor.js';

function invalid(field: string, reason: string, code?: string, cause?: unknown): never {
  return fail('REGISTRATION_INVALID', { field, reason, ...(code === undefined ? {} : { code }) }, cause);
}

/** Step 1: the JSON Schema. */
function checkSchema(value: unknown): RegistrationDocument {
  const r = schemaRegistry().checkRecord(REGISTRATION_SCHEMA_ID, value);
  if (r.ok) return value as RegistrationDocument;
  // Report the most specific failure first: an identifier check, else the deepest pointer.
  const sorted = [...r.failures].sort((a, b) => Number(b.code !== undefined) - Number(a.code !== undefined) || b.pointer.length - a.pointer.length);
  const first = sorted[0]!;
  const list = r.failures.map((f) => `${f.pointer || '/'} ${f.keyword}${f.code ? ` (${f.code})` : ''}`).join('; ');
  return invalid(first.pointer || '/', r.total > r.failures.length ? `${list}; …` : list, first.code ?? 'SCHEMA_INVALID');
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** True for hosts that never leave the machine (RFC 6761 §6.3 localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || LOOPBACK_V4.test(hostname) || hostname === '[::1]';
}

/** Step 2: one endpoint. Plain-text transports only on loopback (a partner's RPC answers are evidence inputs). */
export function checkEndpoint(url: string, kind: RegistrationDocument['kind'], field: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    return invalid(field, 'not a URL', undefined, e);
  }
  const secure = kind === 'substrate' ? 'wss:' : 'https:';
  const plain = kind === 'substrate' ? 'ws:' : 'http:';
  if (u.protocol !== secure && u.protocol !== plain) invalid(field, `${kind} endpoints use ${secure.slice(0, -1)} (or ${plain.slice(0, -1)} on loopback)`);
  if (u.protocol === plain && !isLoopbackHost(u.hostname)) invalid(field, `${plain.slice(0, -1)} is allowed only for loopback hosts`);
  if (u.username !== '' || u.password !== '') invalid(field, 'credentials do not belong in a registration (it goes to the ledger)');
  if (u.hash !== '') invalid(field, 'no fragment');
  for (const k of u.searchParams.keys()) if (/pass|secret|token|key|auth/i.test(k)) invalid(field, 'credentials do not belong in a registration (it goes to the ledger)');
}

/** Step 3: record types. */
function checkRecordTypes(doc: RegistrationDocument): void {
  const ids = new Set(schemaRegistry().schemaIds());
  const names = new Set<string>();
  doc.recordTypes.forEach((rt, i) => {
    if (names.has(rt.name)) invalid(`/recordTypes/${i}/name`, `duplicate record type ${rt.name}`);
    names.add(rt.name);
    if (!ids.has(rt.schemaId)) invalid(`/recordTypes/${i}/schemaId`, 'no such schema in schemas/domain', 'SCHEMA_UNKNOWN');
    if (!rt.schemaId.startsWith(`https://courtbridge.example/schemas/domain/${doc.domain}/`)) invalid(`/recordTypes/${i}/schemaId`, `not a schema of domain ${doc.domain}`);
    if (rt.mapping.kind === 'evm-storage') {
      const fields = new Set<string>();
      rt.mapping.fields.forEach((f, j) => {
        if (fields.has(f.name)) invalid(`/recordTypes/${i}/mapping/fields/${j}/name`, `duplicate field ${f.name}`);
        fields.add(f.name);
      });
    }
  });
}

/** 备案编号 province abbreviation → GB/T 2260 province code (滇 and 云 both name Yunnan). */
export const FILING_PROVINCES: Readonly<Record<string, string>> = {
  京: '11', 津: '12', 冀: '13', 晋: '14', 蒙: '15', 辽: '21', 吉: '22', 黑: '23', 沪: '31', 苏: '32', 浙: '33', 皖: '34',
  闽: '35', 赣: '36', 鲁: '37', 豫: '41', 鄂: '42', 湘: '43', 粤: '44', 桂: '45', 琼: '46', 渝: '50', 川: '51', 黔: '52',
  滇: '53', 云: '53', 藏: '54', 陕: '61', 甘: '62', 青: '63', 宁: '64', 新: '65',
};
const FILING_RE = /^(\p{Script=Han})网信备(\d{20})号$/u;

/**
 * Step 4: a CAC blockchain filing number (境内区块链信息服务备案编号, e.g. 京网信备11010819194755230011号), checked
 * loosely: the published shape (province, 网信备, 20 digits, 号) and that the division code it starts with lies in
 * that province. DIFF FROM SPEC: the CAC publishes no check digit or full structure, so nothing more is checked; the
 * number is a fact for the court to look up (https://bcbeian.ifcert.cn), not proof of filing.
 */
export function checkFilingNumber(value: unknown, field = 'filingNumber'): string {
  if (typeof value !== 'string' || value.length > 32) return invalid(field, 'not a filing number');
  const m = FILING_RE.exec(value);
  if (!m) return invalid(field, 'must look like 京网信备11010819194755230011号');
  const province = FILING_PROVINCES[m[1]!];
  if (province === undefined) invalid(field, 'unknown province abbreviation');
  if (m[2]!.slice(0, 2) !== province) invalid(field, `division code ${m[2]!.slice(0, 6)} is not in province ${m[1]}`);
  return value;
}

/** Step 5: the trust anchor builds a light-client state. */
function checkTrustAnchor(doc: RegistrationDocument): void {
  const a = doc.trustAnchor;
  if (a === undefined) return;
  if (a.type === 'genesis' && a.header.height !== 0) invalid('/trustAnchor/header/height', 'a genesis anchor is at height 0');
  try {
    createTrustState(trustAnchorOf(doc)!, 0);
  } catch (e) {
    if (!isCourtBridgeError(e)) throw e;
    invalid('/trustAnchor', String(e.details.reason ?? e.message), e.code, e);
  }
}

/** Parse and check a registration document (steps 1–5); the typed document or REGISTRATION_INVALID. */
export function parseRegistration(value: unknown): RegistrationDocument {
  const doc = checkSchema(value);
  doc.endpoints.forEach((url, i) => checkEndpoint(url, doc.kind, `/endpoints/${i}`));
  checkRecordTypes(doc);
  checkFilingNumber(doc.platform.filingNumber, '/platform/filingNumber');
  checkTrustAnchor(doc);
  return doc;
}

/** Hex SHA-256 of the RFC 8785 canonical JSON of the document: what administrators approve. */
export function registrationDigest(doc: RegistrationDocument): string {
  return toHex(sha256(canonicalBytes(doc)));
}
