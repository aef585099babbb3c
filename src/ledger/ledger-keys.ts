/**
 * The ledger's signing keys: one Ed25519 and one SM2 C2SP note key, both named after the ledger's origin, generated
 * at init. Private keys are stored only sealed (AES-256-GCM under the scrypt-derived master key, AAD = the key id
 * `<name>+<hex key ID>` so a sealed key cannot be moved to another row); verifier keys are public.
 *
 * A checkpoint is the C2SP tlog-checkpoint body `<origin>\n<size>\n<base64 root>\n` as a signed note carrying BOTH
 * ledger signatures; a witness cosignature (c2sp.org/tlog-cosignature) is one more signature line over the same text.
 */
import { randomBytes } from 'node:crypto';
import { bytesEqual, utf8 } from '../crypto/bytes.js';
import type { HashAlg } from '../crypto/hash.js';
import { deriveMasterKey, openSecret, sealSecret } from '../crypto/sealed.js';
import { fail } from '../errors.js';
import { openCheckpoint, signCheckpoint, verifyCosignature } from './checkpoint.js';
import { parseNote, parseSignatureLine, type NoteSignature } from './note.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from './note-keys.js';
import type { CheckpointRow, CosignatureRow, KeyRow, LedgerMeta } from './store/types.js';

/** A witness cosignature to attach: the witness's verifier key and its signature line (or a note carrying it). */
export interface CosignatureInput {
  verifierKey: string;
  /** `— <name> <base64>` line(s), or the whole cosigned note; the line by `verifierKey` is taken. */
  signature: string;
}

/** A checkpoint as signed: tree size and root. */
export interface SignedCheckpoint {
  origin: string;
  treeSize: number;
  root: Uint8Array;
}

const NOTE_KEY_TYPES = [['Ed25519', 'ed25519'], ['SM2', 'sm2']] as const;

const keyIdOf = (v: NoteVerifier): string => `${v.name}+${v.keyId.toString(16).padStart(8, '0')}`;

/** Fresh meta (with a new KDF salt) and the two sealed ledger keys for a new ledger. */
export function newLedgerKeys(origin: string, hashAlg: HashAlg, passphrase: string): { meta: LedgerMeta; keys: KeyRow[] } {
  const kdfSalt = new Uint8Array(randomBytes(16));
  const master = deriveMasterKey(passphrase, kdfSalt);
  const createdAt = new Date().toISOString();
  const keys = NOTE_KEY_TYPES.map(([alg, type]): KeyRow => {
    const { signerKey, verifierKey } = generateNoteKey(origin, type);
    const v = parseVerifierKey(verifierKey);
    const keyId = keyIdOf(v);
    return { keyId, alg, publicKey: v.publicKey, verifierKey, sealedPrivate: sealSecret(utf8(signerKey), master, keyId), createdAt };
  });
  master.fill(0);
  return { meta: { origin, hashAlg, createdAt, kdfSalt }, keys };
}

/** The ledger's keys: verifiers always, signers once the master key opens them. */
export class LedgerKeyring {
  readonly verifierKeys: string[];
  private parsedVerifiers: NoteVerifier[] | undefined;
  private signers: NoteSigner[] | undefined;

  /** `passphrase` is only needed to sign; verification works without it. */
  constructor(
    private readonly meta: LedgerMeta,
    private readonly rows: readonly KeyRow[],
    private readonly passphrase?: string,
  ) {
    this.verifierKeys = rows.map((r) => r.verifierKey);
    if (rows.length === 0) fail('LEDGER_TAMPERED', { reason: 'the ledger has no keys' });
  }

  /** The ledger's note verifiers, parsed on first use (SM2 point set-up is not free; appends never need it). */
  get verifiers(): readonly NoteVerifier[] {
    return (this.parsedVerifiers ??= this.rows.map((r) => parseVerifierKey(r.verifierKey)));
  }

  private openSigners(): NoteSigner[] {
    if (this.signers) return this.signers;
    if (this.passphrase === undefined) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_MASTER_KEY', reason: 'needed to sign checkpoints' });
    const master = deriveMasterKey(this.passphrase, this.meta.kdfSalt);
    try {
      this.signers = this.rows.map((r) => {
        const signer = parseSignerKey(Buffer.from(openSecret(r.sealedPrivate, master, r.keyId)).toString('utf8'));
        if (!bytesEqual(signer.publicKey, r.publicKey)) fail('LEDGER_TAMPERED', { reason: `sealed key ${r.keyId} does not match its public key` });
        return signer;
      });
    } finally {
      master.fill(0);
    }
    return this.signers;
  }

  /** Sign the tlog-checkpoint of (size, root) with every ledger key; returns the signed note text. */
  signCheckpoint(treeSize: number, root: Uint8Array): string {
    return signCheckpoint({ origin: this.meta.origin, treeSize, root, extensions: [] }, this.openSigners());
  }

  /** Verify a checkpoint note: EVERY ledger key signed it (not just one) and the body is a checkpoint of this origin. */
  openCheckpoint(note: string): SignedCheckpoint {
    const opened = openCheckpoint(note, this.verifiers, this.meta.origin);
    for (const v of this.verifiers) {
      if (!opened.sigs.some((s) => s.name === v.name && s.keyId === v.keyId)) fail('NOTE_UNSIGNED', { name: `${v.name} (${keyIdOf(v)})` });
    }
    return { origin: opened.checkpoint.origin, treeSize: opened.checkpoint.treeSize, root: opened.checkpoint.root };
  }

  /** Verify a witness cosignature (c2sp.org/tlog-cosignature, type 0x04) over the stored checkpoint; the row to store. */
  checkCosignature(cp: CheckpointRow, input: CosignatureInput): CosignatureRow {
    const witness = parseVerifierKey(input.verifierKey);
    const line = findSignatureLine(input.signature, witness);
    verifyCosignature(parseNote(cp.note).text, line, witness);
    return { treeSize: cp.treeSize, keyName: keyIdOf(witness), verifierKey: input.verifierKey, signatureLine: line, createdAt: new Date().toISOString() };
  }

  /** Re-verify a stored cosignature (audit). */
  verifyStoredCosignature(cp: CheckpointRow, row: CosignatureRow): void {
    verifyCosignature(parseNote(cp.note).text, row.signatureLine, parseVerifierKey(row.verifierKey));
  }
}

/** The signature line by `v` in `input`: a whole cosigned note, or one or more bare signature lines. */
function findSignatureLine(input: string, v: NoteVerifier): string {
  if (typeof input !== 'string' || input.length > 64 * 1024) fail('INVALID_INPUT', { field: 'signature', reason: 'must be signature line(s) or a note under 64 KiB' });
  const sigs: NoteSignature[] = input.includes('\n\n')
    ? parseNote(input).signatures
    : input.split('\n').filter((l) => l.length > 0).map(parseSignatureLine);
  const sig = sigs.find((s) => s.name === v.name && s.keyId === v.keyId);
  return sig?.line ?? fail('NOTE_UNSIGNED', { name: v.name });
}
