/**
 * W3C Bitstring Status List v1.0: revocation and suspension bits of the credentials the judicial administration
 * issues, hosted by the hub.
 *
 * - Bitstring (§4.1): at least 16 KB (131,072 entries); index 0 is the most significant bit of the first byte.
 * - `encodedList` (§3.1.1): multibase base64url without padding (prefix `u`) of the GZIP-compressed bitstring.
 * - Entries (`BitstringStatusListEntry`, §2.1) name the list credential, the purpose and the index (a decimal string).
 * - Every change is attested through the `AttestationSink` with its time before it takes effect, and the history is
 *   kept, so `statusAt(entry, t)` answers "was this set at time t" from the attested record (issue 4, `vc status --at`).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { fail } from '../src/errors.js';
import type { AttestationSink } from './attestation.js';

/** Status purposes we support (§2.1: revocation is permanent, suspension reversible). */
export type StatusPurpose = 'revocation' | 'suspension';

/** Minimum bitstring size in bits (§4.1: 16 KB). */
export const MIN_STATUS_LIST_BITS = 131_072;
/** Largest list we decode (bits); bounds GZIP expansion of hostile input. */
export const MAX_STATUS_LIST_BITS = 8 * 16 * 1024 * 1024;

/** The credentialStatus entry a credential carries (§2.1). */
export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
}

/** A bitstring of status bits. */
export class Bitstring {
  /** `bits` entries, all clear; at least the §4.1 minimum. */
  constructor(readonly bytes: Uint8Array = new Uint8Array(MIN_STATUS_LIST_BITS / 8)) {
    if (bytes.length * 8 < MIN_STATUS_LIST_BITS) fail('STATUS_LIST_INVALID', { id: 'bitstring', reason: 'shorter than 131,072 bits' });
  }

  /** Number of entries. */
  get size(): number {
    return this.bytes.length * 8;
  }

  /** Bit `index` (0 = left-most). */
  get(index: number): boolean {
    this.check(index);
    return ((this.bytes[index >> 3]! >> (7 - (index & 7))) & 1) === 1;
  }

  /** Set or clear bit `index`. */
  set(index: number, value: boolean): void {
    this.check(index);
    const mask = 1 << (7 - (index & 7));
    this.bytes[index >> 3] = value ? this.bytes[index >> 3]! | mask : this.bytes[index >> 3]! & ~mask;
  }

  /** `encodedList`: `u` + base64url(gzip(bitstring)). */
  encode(): string {
    return `u${gzipSync(this.bytes).toString('base64url')}`;
  }

  /** Decode an `encodedList` strictly and with a bound on the decompressed size. */
  static decode(encoded: unknown, id = 'statusList'): Bitstring {
    if (typeof encoded !== 'string' || !encoded.startsWith('u') || !/^u[A-Za-z0-9_-]+$/.test(encoded)) fail('STATUS_LIST_INVALID', { id, reason: 'encodedList must be multibase base64url (u…)' });
    let bytes: Buffer;
    try {
      bytes = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'), { maxOutputLength: MAX_STATUS_LIST_BITS / 8 });
    } catch (e) {
      return fail('STATUS_LIST_INVALID', { id, reason: 'not GZIP data or larger than the limit' }, e);
    }
    return new Bitstring(new Uint8Array(bytes));
  }

  private check(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) fail('STATUS_INDEX_OUT_OF_RANGE', { index: String(index), size: this.size });
  }
}

/** Parse a `statusListIndex` (a base-10 string per §2.1) into a safe integer. */
export function parseStatusIndex(value: unknown): number {
  if (typeof value !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) {
    return fail('STATUS_INDEX_OUT_OF_RANGE', { index: String(value).slice(0, 20), size: 'n/a' });
  }
  return Number(value);
}

interface StatusEvent {
  at: number;
  index: number;
  value: boolean;
}

interface HostedList {
  url: string;
  purpose: StatusPurpose;
  bits: Bitstring;
  next: number;
  history: StatusEvent[];
}

/** The hub's status lists: allocation, attested changes, history and the status-list credential subject. */
export class StatusListRegistry {
  private readonly lists = new Map<string, HostedList>();

  /** `baseUrl`: where list credentials are published (`<baseUrl>/<name>`). */
  constructor(
    private readonly baseUrl: string,
    private readonly sink: AttestationSink,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Create a list `name` of `purpose` (idempotent for the same purpose). */
  ensureList(name: string, purpose: StatusPurpose): string {
    if (!/^[a-z0-9-]{1,64}$/.test(name)) fail('INVALID_INPUT', { field: 'name', reason: 'lower-case letters, digits and - only' });
    const url = `${this.baseUrl}/${name}`;
    const existing = this.lists.get(url);
    if (existing && existing.purpose !== purpose) fail('STATUS_LIST_INVALID', { id: url, reason: `list has purpose ${existing.purpose}` });
    if (!existing) this.lists.set(url, { url, purpose, bits: new Bitstring(), next: 0, history: [] });
    return url;
  }

  /** Allocate the next free index of list `url` and return the entry a credential carries. */
  allocate(url: string): BitstringStatusListEntry {
    const list = this.get(url);
    if (list.next >= list.bits.size) fail('STATUS_INDEX_OUT_OF_RANGE', { index: String(list.next), size: list.bits.size });
    const index = list.next++;
    return { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: list.purpose, statusListIndex: String(index), statusListCredential: url };
  }

  /** Set (revoke / suspend) or clear (reinstate; suspension only) the bit of `entry`; attested before it applies. */
  async setStatus(entry: BitstringStatusListEntry, value: boolean, actor: string, reason?: string): Promise<{ index: number }> {
    const list = this.get(entry.statusListCredential);
    if (entry.statusPurpose !== list.purpose) fail('STATUS_LIST_INVALID', { id: list.url, reason: 'purpose differs from the list' });
    const index = parseStatusIndex(entry.statusListIndex);
    list.bits.get(index); // bounds check before attesting
    if (!value && list.purpose === 'revocation' && list.bits.get(index)) fail('STATUS_LIST_INVALID', { id: list.url, reason: 'revocation is permanent (§2.1)' });
    const at = this.now();
    const last = list.history.at(-1);
    if (last && at < last.at) fail('INTERNAL', { reason: 'clock went backwards' });
    const receipt = await this.sink.append({ type: 'courtbridge.did.status', list: list.url, purpose: list.purpose, index, value, actor, reason: reason ?? null, at });
    list.bits.set(index, value);
    list.history.push({ at, index, value });
    return receipt;
  }

  /** The current bit of `entry`. */
  status(entry: BitstringStatusListEntry): boolean {
    return this.get(entry.statusListCredential).bits.get(parseStatusIndex(entry.statusListIndex));
  }

  /** The bit of `entry` as attested at time `at` (seconds): the last change at or before `at`. */
  statusAt(entry: BitstringStatusListEntry, at: number): boolean {
    const list = this.get(entry.statusListCredential);
    const index = parseStatusIndex(entry.statusListIndex);
    list.bits.get(index);
    let value = false;
    for (const e of list.history) {
      if (e.at > at) break;
      if (e.index === index) value = e.value;
    }
    return value;
  }

  /** The credentialSubject of the list's BitstringStatusListCredential (§2.2). */
  credentialSubject(url: string): { id: string; type: 'BitstringStatusList'; statusPurpose: StatusPurpose; encodedList: string } {
    const list = this.get(url);
    return { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: list.purpose, encodedList: list.bits.encode() };
  }

  /** Make sure list `url` (any URL, e.g. read back from the ledger) exists with `purpose`. */
  adoptList(url: string, purpose: StatusPurpose): void {
    if (purpose !== 'revocation' && purpose !== 'suspension') fail('STATUS_LIST_INVALID', { id: String(url).slice(0, 200), reason: 'unknown purpose' });
    const existing = this.lists.get(url);
    if (existing && existing.purpose !== purpose) fail('STATUS_LIST_INVALID', { id: url, reason: `list has purpose ${existing.purpose}` });
    if (!existing) this.lists.set(url, { url, purpose, bits: new Bitstring(), next: 0, history: [] });
  }

  /**
   * Re-apply one attestation read back from the ledger (`courtbridge.did.status`), without attesting it again: the
   * registry's state and history are a pure function of the ledger. Returns false for other attestation types.
   */
  replay(attestation: unknown): boolean {
    const a = attestation as { type?: unknown; list?: unknown; purpose?: unknown; index?: unknown; value?: unknown; at?: unknown };
    if (typeof a !== 'object' || a === null || a.type !== 'courtbridge.did.status') return false;
    if (typeof a.list !== 'string' || typeof a.value !== 'boolean' || !Number.isSafeInteger(a.index) || !Number.isSafeInteger(a.at)) fail('STATUS_LIST_INVALID', { id: 'ledger', reason: 'malformed status attestation' });
    this.adoptList(a.list, a.purpose as StatusPurpose);
    const list = this.get(a.list);
    list.bits.set(a.index as number, a.value);
    list.history.push({ at: a.at as number, index: a.index as number, value: a.value });
    return true;
  }

  private get(url: string): HostedList {
    return this.lists.get(url) ?? fail('STATUS_LIST_INVALID', { id: String(url).slice(0, 200), reason: 'no such list on this hub' });
  }
}
