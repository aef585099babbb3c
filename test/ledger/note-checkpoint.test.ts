/**
 * C2SP tlog-checkpoint bodies and tlog-cosignature witness cosignatures (C2SP/C2SP tlog-checkpoint.md,
 * tlog-cosignature.md), plus one adversarial case per signed-note error code.
 */
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/bytes.js';
import { generateKeyPair } from '../../src/crypto/signature.js';
import {
  cosignCheckpoint, cosignatureLine, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, verifyCosignature,
  type Checkpoint,
} from '../../src/ledger/checkpoint.js';
import {
  addSignatureLines, formatVerifierKey, generateNoteKey, noteSigner, noteVerifier, openNote, parseSignerKey, parseVerifierKey,
  signNote,
} from '../../src/ledger/note.js';
import type { ErrorCode } from '../../src/errors.js';

const code = (fn: () => unknown): ErrorCode | 'none' => {
  try {
    fn();
    return 'none';
  } catch (e) {
    return (e as { code: ErrorCode }).code;
  }
};
const ORIGIN = 'court.example/ledger';
const cp: Checkpoint = { origin: ORIGIN, treeSize: 20852163, root: new Uint8Array(32).fill(9), extensions: [] };
const logKey = generateNoteKey(ORIGIN, 'ed25519');
const logSm2 = generateNoteKey(ORIGIN, 'sm2');
const witnessSeed = new Uint8Array(32).fill(3);
const witness = noteSigner('witness.example/w1', 'cosignature-ed25519', witnessSeed);
const witnessVerifier = parseVerifierKey(formatVerifierKey(witness));

describe('tlog-checkpoint body', () => {
  it('parses the C2SP example body (tlog-checkpoint.md)', () => {
    const c = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.treeSize).toBe(20852163);
    expect(toBase64(c.root)).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(c.extensions).toEqual([]);
  });

  it('formats and parses round-trip, with extension lines and size 0', () => {
    for (const c of [cp, { ...cp, treeSize: 0 }, { ...cp, extensions: ['ext one', 'ext2'] }]) {
      const text = formatCheckpoint(c);
      expect(parseCheckpoint(text)).toEqual(c);
    }
    expect(formatCheckpoint(cp)).toBe(`${ORIGIN}\n20852163\n${toBase64(cp.root)}\n`);
  });

  it('CHECKPOINT_MALFORMED on every defect', () => {
    const r = toBase64(cp.root);
    const bad = [
      `${ORIGIN}\n5\n${r}`, `${ORIGIN}\n5\n`, `\n5\n${r}\n`, `${ORIGIN}\n05\n${r}\n`, `${ORIGIN}\n-1\n${r}\n`, `${ORIGIN}\n1.0\n${r}\n`,
      `${ORIGIN}\n 5\n${r}\n`, `${ORIGIN}\n9007199254740992\n${r}\n`, `${ORIGIN}\n5\n${toBase64(new Uint8Array(31))}\n`,
      `${ORIGIN}\n5\nnot base64!\n`, `${ORIGIN}\n5\n${r}\n\next\n`, `${ORIGIN}\n5\n${r}\next\n\n`,
    ];
    for (const b of bad) expect(code(() => parseCheckpoint(b)), JSON.stringify(b)).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => formatCheckpoint({ ...cp, origin: '' }))).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => formatCheckpoint({ ...cp, extensions: [''] }))).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => formatCheckpoint({ ...cp, root: new Uint8Array(33) }))).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => formatCheckpoint({ ...cp, origin: 'a\u0007b' }))).toBe('CHECKPOINT_MALFORMED');
    expect(code(() => formatCheckpoint({ ...cp, treeSize: -1 }))).toBe('BAD_INTEGER');
  });
});

describe('signed checkpoints and witness cosignatures', () => {
  it('signed by Ed25519 and SM2 log keys; opened with either; the origin can be required', () => {
    const note = signCheckpoint(cp, [parseSignerKey(logKey.signerKey), parseSignerKey(logSm2.signerKey)]);
    const opened = openCheckpoint(note, [parseVerifierKey(logKey.verifierKey)], ORIGIN);
    expect(opened.checkpoint).toEqual(cp);
    expect(openCheckpoint(note, [parseVerifierKey(logSm2.verifierKey)]).sigs).toHaveLength(1);
    expect(code(() => openCheckpoint(note, [parseVerifierKey(logKey.verifierKey)], 'other.example/log'))).toBe('CHECKPOINT_MALFORMED');
  });

  it('a cosigned checkpoint opens with log + witness keys; verifyCosignature returns the timestamp', () => {
    const signed = signCheckpoint(cp, [parseSignerKey(logKey.signerKey)]);
    const cosigned = cosignCheckpoint(signed, witness, 1700000000);
    const opened = openCheckpoint(cosigned, [parseVerifierKey(logKey.verifierKey), witnessVerifier]);
    expect(opened.sigs.map((s) => s.name)).toEqual([ORIGIN, 'witness.example/w1']);
    // The witness alone is enough for openNote (it is a known key that verified).
    expect(openNote(cosigned, [witnessVerifier]).sigs).toHaveLength(1);
    const line = cosignatureLine(formatCheckpoint(cp), witness, 1700000000);
    expect(verifyCosignature(formatCheckpoint(cp), line, witnessVerifier).timestamp).toBe(1700000000);
    // Over another checkpoint it fails; by another witness it is not this witness's line.
    expect(code(() => verifyCosignature(formatCheckpoint({ ...cp, treeSize: 1 }), line, witnessVerifier))).toBe('NOTE_SIGNATURE_INVALID');
    const other = noteSigner('witness.example/w2', 'cosignature-ed25519', new Uint8Array(32).fill(4));
    expect(code(() => verifyCosignature(formatCheckpoint(cp), line, parseVerifierKey(formatVerifierKey(other))))).toBe('NOTE_UNSIGNED');
    expect(code(() => verifyCosignature(formatCheckpoint(cp), line, parseVerifierKey(logKey.verifierKey)))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => cosignatureLine(formatCheckpoint(cp), parseSignerKey(logKey.signerKey), 1))).toBe('BAD_SIGNER_KEY');
    // Cosigning twice by the same witness: a duplicate key on the note.
    expect(code(() => cosignCheckpoint(cosigned, witness, 1700000001))).toBe('NOTE_MALFORMED');
  });

  it('a cosignature whose timestamp was altered does not verify; a plain Ed25519 key of the same seed has another key ID', () => {
    const body = formatCheckpoint(cp);
    const line = cosignatureLine(body, witness, 1700000000);
    const raw = Buffer.from(line.trim().split(' ')[2]!, 'base64');
    raw[11]! ^= 1; // inside the 8-byte timestamp after the 4-byte key ID
    const altered = `— witness.example/w1 ${raw.toString('base64')}\n`;
    expect(code(() => verifyCosignature(body, altered, witnessVerifier))).toBe('NOTE_SIGNATURE_INVALID');
    const plain = noteSigner('witness.example/w1', 'ed25519', witnessSeed);
    expect(plain.keyId).not.toBe(witness.keyId);
    // Timestamp above 2^63 - 1 is refused by the verifier.
    const big = Buffer.from(line.trim().split(' ')[2]!, 'base64');
    big[4] = 0x80;
    expect(code(() => verifyCosignature(body, `— witness.example/w1 ${big.toString('base64')}\n`, witnessVerifier))).toBe('NOTE_SIGNATURE_INVALID');
  });
});

describe('signed-note error codes', () => {
  const ed = generateNoteKey('k.example/a', 'ed25519');
  const v = parseVerifierKey(ed.verifierKey);
  const s = parseSignerKey(ed.signerKey);
  const note = signNote('hello\n', [s]);

  it('NOTE_MALFORMED: note without signatures, bad text for signing, bad signature lines', () => {
    expect(code(() => openNote('hello\n', [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote('hello\n\n', [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(note.replace('\u2014', '-'), [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(note.replace('k.example/a ', 'k.example/a+x '), [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(note.replace('\n\u2014', '\n\u2014 '), [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(note.slice(0, -1), [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote(`hel\rlo\n\n${note.split('\n\n')[1]}`, [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => openNote('hello\n\n\u2014 k.example/a AAAA\n', [v]))).toBe('NOTE_MALFORMED'); // < 5 bytes
    expect(code(() => openNote(`hello\ud800\n\n${note.split('\n\n')[1]}`, [v]))).toBe('NOTE_MALFORMED');
    expect(code(() => signNote('no newline', [s]))).toBe('NOTE_MALFORMED');
    expect(code(() => signNote('tab\there\n', [s]))).toBe('NOTE_MALFORMED');
    expect(code(() => addSignatureLines(note, ['garbage']))).toBe('NOTE_MALFORMED');
  });

  it('NOTE_UNSIGNED: only unknown keys signed; no signers given', () => {
    expect(code(() => openNote(note, [parseVerifierKey(generateNoteKey('k.example/a').verifierKey)]))).toBe('NOTE_UNSIGNED');
    expect(code(() => signNote('hello\n', []))).toBe('NOTE_UNSIGNED');
  });

  it('NOTE_SIGNATURE_INVALID: known key, bad or wrongly sized signature', () => {
    expect(code(() => openNote(note.replace('hello', 'hellp'), [v]))).toBe('NOTE_SIGNATURE_INVALID');
    const id = Buffer.alloc(4);
    id.writeUInt32BE(v.keyId);
    const short = `hello\n\n\u2014 k.example/a ${Buffer.concat([id, Buffer.alloc(10)]).toString('base64')}\n`;
    expect(code(() => openNote(short, [v]))).toBe('NOTE_SIGNATURE_INVALID');
  });

  it('BAD_VERIFIER_KEY / BAD_SIGNER_KEY: names, types, lengths, points', () => {
    const pub = generateKeyPair('Ed25519').publicKey;
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u3000b', 'a\tb']) expect(code(() => noteVerifier(name, 'ed25519', pub))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => noteVerifier('x', 'ed25519', pub.slice(1)))).toBe('BAD_VERIFIER_KEY');
    const sm2 = generateKeyPair('SM2').publicKey;
    expect(code(() => noteVerifier('x', 'sm2', Uint8Array.of(0x04, ...sm2.slice(1))))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => noteVerifier('x', 'sm2', Uint8Array.of(0x02, ...new Uint8Array(32).fill(0xff))))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => parseVerifierKey(42))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => parseVerifierKey('x+00000000+AA=='))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => parseVerifierKey(ed.verifierKey.replace(/\+([0-9a-f]{8})\+/, (_, h: string) => `+${h.toUpperCase()}+`)))).toBe('BAD_VERIFIER_KEY');
    expect(code(() => parseSignerKey(ed.verifierKey))).toBe('BAD_SIGNER_KEY');
    expect(code(() => noteSigner('x', 'sm2', new Uint8Array(32)))).toBe('BAD_SIGNER_KEY');
    expect(code(() => noteSigner('x', 'ed25519', new Uint8Array(31)))).toBe('BAD_SIGNER_KEY');
    expect(code(() => signNote('hello\n', [s, s]))).toBe('BAD_SIGNER_KEY');
  });

  it('TOO_LARGE: a note over 1 MiB is refused unread', () => {
    expect(code(() => openNote(`${'a'.repeat(2 * 1024 * 1024)}\n${note}`, [v]))).toBe('TOO_LARGE');
  });
});
