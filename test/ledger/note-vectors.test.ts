/**
 * Signed notes against Go's golang.org/x/mod/sumdb/note (repository golang/mod, sumdb/note/note_test.go): the
 * PeterNeumann and EnochRoot keys, the signed note of TestSign / TestOpen, the mangled keys of TestNewVerifier /
 * TestNewSigner and the bad messages of TestOpen. Values transcribed, code not copied. Also the C2SP
 * tlog-cosignature.md example (C2SP/C2SP tlog-cosignature.md) for the cosignature timestamp layout.
 */
import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/crypto/bytes.js';
import {
  formatSignerKey, formatVerifierKey, generateNoteKey, noteKeyId, noteSigner, openNote, parseNote, parseSignerKey,
  parseVerifierKey, signNote,
} from '../../src/ledger/note.js';
import type { ErrorCode } from '../../src/errors.js';

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const code = (fn: () => unknown): ErrorCode | 'none' => {
  try {
    fn();
    return 'none';
  } catch (e) {
    return (e as { code: ErrorCode }).code;
  }
};

describe('Go sumdb/note interoperability (golang/mod sumdb/note/note_test.go)', () => {
  it('parses the PeterNeumann verifier and signer keys and round-trips them', () => {
    const v = parseVerifierKey(PETER_VKEY);
    expect(v.name).toBe('PeterNeumann');
    expect(v.keyId).toBe(0xc74f20a3);
    expect(v.type).toBe('ed25519');
    expect(formatVerifierKey(v)).toBe(PETER_VKEY);
    const s = parseSignerKey(PETER_SKEY);
    expect(s.keyId).toBe(0xc74f20a3);
    expect(formatVerifierKey(s)).toBe(PETER_VKEY);
    const seed = fromBase64(PETER_SKEY.split('+').slice(4).join('+'), 'skey').slice(1);
    expect(formatSignerKey('PeterNeumann', 'ed25519', seed)).toBe(PETER_SKEY);
  });

  it('TestSign: our Ed25519 signer reproduces the exact signed note', () => {
    expect(signNote(TEXT, [parseSignerKey(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('TestOpen: one known + one unknown, both known, none known', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const enoch = parseVerifierKey(ENOCH_VKEY);
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const one = openNote(note, [peter]);
    expect(one.text).toBe(TEXT);
    expect(one.sigs.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(one.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
    const both = openNote(note, [peter, enoch]);
    expect(both.sigs.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(code(() => openNote(note, []))).toBe('NOTE_UNSIGNED');
    // Ambiguous verifier list (Go: "ambiguous key").
    expect(code(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch]))).toBe('BAD_VERIFIER_KEY');
    // Invalid signature by a known key (Go: InvalidSignatureError).
    const corrupted = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(code(() => openNote(corrupted, [peter]))).toBe('NOTE_SIGNATURE_INVALID');
    // Too many signatures (Go: 101 → malformed).
    expect(code(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter]))).toBe('NOTE_MALFORMED');
  });

  it('duplicate signature lines by one key are malformed (DIFF FROM Go, which drops repeats)', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    expect(code(() => openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, [peter]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}`, [peter]))).toBe('NOTE_MALFORMED');
  });

  it('TestOpen bad messages are NOTE_MALFORMED', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ];
    for (const m of bad) expect(code(() => openNote(m, [peter]))).toBe('NOTE_MALFORMED');
    // "\xff" + text: invalid UTF-8 as bytes.
    const bytes = new Uint8Array([0xff, ...new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`)]);
    expect(code(() => openNote(bytes, [peter]))).toBe('NOTE_MALFORMED');
    // The same note as valid UTF-8 bytes opens.
    expect(openNote(new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`), [peter]).sigs).toHaveLength(1);
  });

  it('TestNewVerifier / TestNewSigner: every substring and every +1 byte mangling is refused', () => {
    const mangle = (key: string, parse: (k: string) => unknown, expected: ErrorCode): void => {
      for (let i = 0; i <= key.length; i++) {
        for (let j = i + 1; j <= key.length; j++) {
          if (i === 0 && j === key.length) continue;
          expect(code(() => parse(key.slice(i, j))), key.slice(i, j)).toBe(expected);
        }
      }
      for (let i = 0; i < key.length; i++) {
        const m = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
        expect(code(() => parse(m)), m).toBe(expected);
      }
    };
    mangle(PETER_VKEY, parseVerifierKey, 'BAD_VERIFIER_KEY');
    mangle(PETER_SKEY, parseSignerKey, 'BAD_SIGNER_KEY');
    // Wrong key length with adjusted hash; unknown algorithm with adjusted hash.
    expect(code(() => parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe('BAD_VERIFIER_KEY');
  });
});

describe('key IDs, generation, SM2 notes', () => {
  it('key ID = SHA-256(name || 0x0A || type || key)[:4] (independently computed)', () => {
    const pub = fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'k').slice(1);
    const d = createHash('sha256').update('PeterNeumann\n').update(Buffer.from([1])).update(pub).digest();
    expect(noteKeyId('PeterNeumann', 'ed25519', pub)).toBe(d.readUInt32BE(0));
  });

  it.each(['ed25519', 'sm2'] as const)('generated %s keys sign notes that open; other keys and texts do not', (type) => {
    const a = generateNoteKey('court.example/ledger', type);
    const b = generateNoteKey('court.example/ledger', type);
    const note = signNote('court.example/ledger\n3\nabc=\n', [parseSignerKey(a.signerKey)]);
    expect(openNote(note, [parseVerifierKey(a.verifierKey)]).sigs).toHaveLength(1);
    // Same name, other key: a different key ID, so an unknown key → unsigned.
    expect(code(() => openNote(note, [parseVerifierKey(b.verifierKey)]))).toBe('NOTE_UNSIGNED');
    const tampered = note.replace('\n3\n', '\n4\n');
    expect(code(() => openNote(tampered, [parseVerifierKey(a.verifierKey)]))).toBe('NOTE_SIGNATURE_INVALID');
  });

  it('SM2 key strings use type 0xff || "courtbridge-sm2" and a compressed public key; Ed25519 and SM2 co-sign one note', () => {
    const sm2 = generateNoteKey('court.example/ledger', 'sm2');
    const material = fromBase64(sm2.verifierKey.split('+').slice(2).join('+'), 'k');
    expect(material[0]).toBe(0xff);
    expect(Buffer.from(material.subarray(1, 16)).toString()).toBe('courtbridge-sm2');
    expect(material.length).toBe(16 + 33);
    const ed = generateNoteKey('court.example/ledger', 'ed25519');
    const note = signNote('hello\n', [parseSignerKey(ed.signerKey), parseSignerKey(sm2.signerKey)]);
    const opened = openNote(note, [parseVerifierKey(ed.verifierKey), parseVerifierKey(sm2.verifierKey)]);
    expect(opened.sigs).toHaveLength(2);
    // A verifier configured with only the SM2 key accepts the note too (the Ed25519 line is then unknown).
    expect(openNote(note, [parseVerifierKey(sm2.verifierKey)]).unverified).toHaveLength(1);
  });
});

describe('cosignature layout (C2SP/C2SP tlog-cosignature.md example)', () => {
  it('the spec example witness line carries key ID, then timestamp 1679315147 (the example\'s "time" line)', () => {
    const note = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n'
      + '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n'
      + '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';
    const { signatures } = parseNote(note);
    const w = signatures[1]!;
    expect(w.signature.length).toBe(72);
    expect(Buffer.from(w.signature).readBigUInt64BE(0)).toBe(1679315147n);
  });

  it('a cosignature equals one computed independently with node:crypto over "cosignature/v1\\ntime <t>\\n" || body', () => {
    const seed = new Uint8Array(32).fill(7);
    const signer = noteSigner('witness.example/w1', 'cosignature-ed25519', seed);
    const body = 'example.com/log\n5\n' + Buffer.alloc(32, 1).toString('base64') + '\n';
    const sig = signer.sign(new TextEncoder().encode(body), 1700000000);
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const expected = nodeSign(null, Buffer.from(`cosignature/v1\ntime 1700000000\n${body}`), createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
    expect(Buffer.from(sig).subarray(0, 8).readBigUInt64BE(0)).toBe(1700000000n);
    expect(Buffer.from(sig.subarray(8)).equals(expected)).toBe(true);
  });
});
