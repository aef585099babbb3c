/**
 * DID keys at rest: Ed25519, secp256k1, P-256 and SM2 private keys, generated or imported, sealed with
 * src/crypto/sealed.ts (AES-256-GCM under the configured master key, associated data = the key id, so a sealed key
 * cannot be moved to another id). Private keys leave the store only inside `signer(kid).sign`, are unsealed per
 * signature and wiped after use, and never appear in errors, JSON or logs.
 *
 * Two backends behind one `KeyStore` interface: in memory (tests, CLI one-shots) and SQLite (better-sqlite3, table
 * `did_keys`). PostgreSQL is not written yet: it needs only another `KeyRows` (same four statements).
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { fail } from '../src/errors.js';
import { bytesEqual } from '../src/crypto/bytes.js';
import { openSecret, sealSecret } from '../src/crypto/sealed.js';
import { generateKeyPair, keyPairFromPrivate, parseSigAlg, sign, type KeyPair, type SigAlg } from '../src/crypto/signature.js';
import type { JwsSigner } from './jwt.js';

/** Public facts of a stored key. */
export interface StoredKey {
  kid: string;
  alg: SigAlg;
  publicKey: Uint8Array;
  createdAt: number;
}

/** Key management for DID keys. */
export interface KeyStore {
  /** Generate and store a fresh key under `kid`; KEY_EXISTS when taken. */
  generate(kid: string, alg: SigAlg): Promise<StoredKey>;
  /** Store an existing 32-byte private key under `kid`. */
  import(kid: string, alg: SigAlg, privateKey: Uint8Array): Promise<StoredKey>;
  /** Public facts of `kid`; KEY_NOT_FOUND otherwise. */
  get(kid: string): Promise<StoredKey>;
  /** Every stored key, by kid. */
  list(): Promise<StoredKey[]>;
  /** A JWS signer for `kid` (the key is unsealed per signature). */
  signer(kid: string): Promise<JwsSigner>;
}

/** One stored row. */
export interface KeyRow {
  kid: string;
  alg: string;
  publicKey: Uint8Array;
  sealed: string;
  createdAt: number;
}

/** The storage a `SealedKeyStore` needs. */
export interface KeyRows {
  insert(row: KeyRow): Promise<boolean>;
  get(kid: string): Promise<KeyRow | undefined>;
  list(): Promise<KeyRow[]>;
}

const KID_RE = /^[\x21-\x7e]{1,512}$/;

/** A key store that seals private keys under `masterKey` (32 bytes) over any `KeyRows`. */
export class SealedKeyStore implements KeyStore {
  /** `now` in seconds (injectable). */
  constructor(
    private readonly rows: KeyRows,
    private readonly masterKey: Uint8Array,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (masterKey.length !== 32) fail('BAD_LENGTH', { field: 'masterKey', expected: 32, actual: masterKey.length });
  }

  /** See KeyStore. */
  async generate(kid: string, alg: SigAlg): Promise<StoredKey> {
    return this.store(kid, generateKeyPair(parseSigAlg(alg)));
  }

  /** See KeyStore. */
  async import(kid: string, alg: SigAlg, privateKey: Uint8Array): Promise<StoredKey> {
    return this.store(kid, keyPairFromPrivate(parseSigAlg(alg), privateKey));
  }

  /** See KeyStore. */
  async get(kid: string): Promise<StoredKey> {
    return publicOf(await this.row(kid));
  }

  /** See KeyStore. */
  async list(): Promise<StoredKey[]> {
    return (await this.rows.list()).map(publicOf);
  }

  /** See KeyStore. */
  async signer(kid: string): Promise<JwsSigner> {
    const row = await this.row(kid);
    const alg = parseSigAlg(row.alg);
    return {
      alg,
      kid,
      sign: (data) => {
        const kp = this.unseal(row, alg);
        try {
          return sign(kp, data);
        } finally {
          kp.privateKey.fill(0);
        }
      },
    };
  }

  private async store(kid: string, kp: KeyPair): Promise<StoredKey> {
    if (typeof kid !== 'string' || !KID_RE.test(kid)) fail('INVALID_INPUT', { field: 'kid', reason: 'printable ASCII, 1–512 characters' });
    const row: KeyRow = { kid, alg: kp.alg, publicKey: kp.publicKey, sealed: sealSecret(kp.privateKey, this.masterKey, kid), createdAt: this.now() };
    kp.privateKey.fill(0);
    if (!(await this.rows.insert(row))) fail('KEY_EXISTS', { kid });
    return publicOf(row);
  }

  private async row(kid: string): Promise<KeyRow> {
    return (await this.rows.get(kid)) ?? fail('KEY_NOT_FOUND', { kid: String(kid).slice(0, 200) });
  }

  /** Open the sealed key and check it still belongs to the stored public key (a swapped row fails closed). */
  private unseal(row: KeyRow, alg: SigAlg): KeyPair {
    const kp = keyPairFromPrivate(alg, openSecret(row.sealed, this.masterKey, row.kid));
    if (!bytesEqual(kp.publicKey, row.publicKey)) {
      kp.privateKey.fill(0);
      fail('SEALED_SECRET_INVALID');
    }
    return kp;
  }
}

function publicOf(row: KeyRow): StoredKey {
  return { kid: row.kid, alg: parseSigAlg(row.alg), publicKey: Uint8Array.from(row.publicKey), createdAt: row.createdAt };
}

/** Rows in memory. */
export class MemoryKeyRows implements KeyRows {
  private readonly map = new Map<string, KeyRow>();

  /** Insert unless present. */
  async insert(row: KeyRow): Promise<boolean> {
    if (this.map.has(row.kid)) return false;
    this.map.set(row.kid, { ...row });
    return true;
  }

  /** Row by kid. */
  async get(kid: string): Promise<KeyRow | undefined> {
    const r = this.map.get(kid);
    return r && { ...r };
  }

  /** All rows by kid. */
  async list(): Promise<KeyRow[]> {
    return [...this.map.values()].sort((a, b) => (a.kid < b.kid ? -1 : 1)).map((r) => ({ ...r }));
  }
}

/** Rows in SQLite table `did_keys` (created when missing). */
export class SqliteKeyRows implements KeyRows {
  private readonly db: Database.Database;

  /** Open (or create) the database file `path` (`:memory:` works). */
  constructor(path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS did_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        public_key BLOB NOT NULL,
        sealed_private TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS did_keys_meta (k TEXT PRIMARY KEY, v BLOB NOT NULL) STRICT`);
    } catch (e) {
      fail('STORE_UNAVAILABLE', { reason: 'cannot open the did_keys table' }, e);
    }
  }

  /** Insert unless the kid exists. */
  async insert(row: KeyRow): Promise<boolean> {
    const r = this.db.prepare('INSERT INTO did_keys (kid, alg, public_key, sealed_private, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING').run(row.kid, row.alg, Buffer.from(row.publicKey), row.sealed, row.createdAt);
    return r.changes === 1;
  }

  /** Row by kid. */
  async get(kid: string): Promise<KeyRow | undefined> {
    const r = this.db.prepare('SELECT kid, alg, public_key, sealed_private, created_at FROM did_keys WHERE kid = ?').get(kid) as DbRow | undefined;
    return r && fromDb(r);
  }

  /** All rows by kid. */
  async list(): Promise<KeyRow[]> {
    return (this.db.prepare('SELECT kid, alg, public_key, sealed_private, created_at FROM did_keys ORDER BY kid').all() as DbRow[]).map(fromDb);
  }

  /** The scrypt salt for deriving this store's master key from a passphrase (16 random bytes, created once). */
  kdfSalt(): Uint8Array {
    this.db.prepare("INSERT INTO did_keys_meta (k, v) VALUES ('kdf_salt', ?) ON CONFLICT (k) DO NOTHING").run(randomBytes(16));
    return new Uint8Array((this.db.prepare("SELECT v FROM did_keys_meta WHERE k = 'kdf_salt'").get() as { v: Buffer }).v);
  }

  /** Close the database. */
  close(): void {
    this.db.close();
  }
}

interface DbRow {
  kid: string;
  alg: string;
  public_key: Buffer;
  sealed_private: string;
  created_at: number;
}

function fromDb(r: DbRow): KeyRow {
  return { kid: r.kid, alg: r.alg, publicKey: new Uint8Array(r.public_key), sealed: r.sealed_private, createdAt: r.created_at };
}
