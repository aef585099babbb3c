import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MemoryKeyRows, SealedKeyStore, SqliteKeyRows, type KeyRows } from '../../did/keystore.js';
import { PgKeyRows } from '../../did/keystore-pg.js';
import { didKeyFromPublicKey } from '../../did/key.js';
import { JwtVerifier, signJwt } from '../../did/jwt.js';
import { DidResolver } from '../../did/resolver.js';
import { keyPairFromPrivate, type SigAlg } from '../../src/crypto/signature.js';

const code = async (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string }) => e.code);
const jwt = new JwtVerifier(new DidResolver());

type Backend = { rows: KeyRows; done: () => void | Promise<void>; reopen?: () => KeyRows };
const PG = process.env.COURTBRIDGE_TEST_PG;
const backends: [string, () => Promise<Backend>][] = [
  ['memory', async () => ({ rows: new MemoryKeyRows(), done: () => undefined })],
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'did-keys-'));
      const file = join(dir, 'keys.db');
      const rows = new SqliteKeyRows(file);
      return {
        rows,
        reopen: () => new SqliteKeyRows(file),
        done: () => {
          rows.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (PG) {
  backends.push([
    'postgres (COURTBRIDGE_TEST_PG)',
    async () => {
      const schema = `didkeys_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
      const rows = await PgKeyRows.open(PG, schema);
      return {
        rows,
        done: async () => {
          await rows.close();
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: PG });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await c.end();
        },
      };
    },
  ]);
}

describe.each(backends)('KeyStore (%s)', (name, make) => {
  it('generates all four key types and signs JWTs that verify against the did:key', async () => {
    const { rows, done } = await make();
    try {
      const ks = new SealedKeyStore(rows, randomBytes(32));
      for (const alg of ['Ed25519', 'ES256K', 'ES256', 'SM2'] as SigAlg[]) {
        const tmp = await ks.generate(`tmp-${alg}`, alg);
        const did = didKeyFromPublicKey(alg, tmp.publicKey);
        // Re-import under the DID URL as kid (what the hub does once the DID is known).
        const kid = `${did}#${did.slice(8)}`;
        const imported = await ks.import(kid, alg, new Uint8Array(32).fill(7));
        const did2 = didKeyFromPublicKey(alg, imported.publicKey);
        const kid2 = `${did2}#${did2.slice(8)}`;
        await ks.import(kid2, alg, new Uint8Array(32).fill(7));
        const t = await signJwt({ iss: did2 }, await ks.signer(kid2));
        expect((await jwt.verify(t, { purpose: 'assertionMethod' })).issuer).toBe(did2);
        expect((await ks.get(kid2)).alg).toBe(alg);
      }
      expect((await ks.list()).length).toBe(12);
    } finally {
      await done();
    }
  });
  it('coded errors: duplicate kid, unknown kid, wrong master key, a sealed key moved to another row', async () => {
    const { rows, done } = await make();
    try {
      const mk = randomBytes(32);
      const ks = new SealedKeyStore(rows, mk);
      await ks.generate('a', 'Ed25519');
      await ks.generate('b', 'Ed25519');
      expect(await code(ks.generate('a', 'SM2'))).toBe('KEY_EXISTS');
      expect(await code(ks.signer('zzz'))).toBe('KEY_NOT_FOUND');
      expect(await code(ks.generate('has space', 'SM2'))).toBe('INVALID_INPUT');
      const other = new SealedKeyStore(rows, randomBytes(32));
      await expect(Promise.resolve().then(async () => (await other.signer('a')).sign(new Uint8Array(1)))).rejects.toMatchObject({ code: 'SEALED_SECRET_INVALID' });
      // Move b's sealed blob into a new row "c" with b's public key: the AAD (kid) no longer matches.
      const b = (await rows.get('b'))!;
      await rows.insert({ ...b, kid: 'c' });
      await expect(Promise.resolve().then(async () => (await ks.signer('c')).sign(new Uint8Array(1)))).rejects.toMatchObject({ code: 'SEALED_SECRET_INVALID' });
      expect(() => new SealedKeyStore(rows, new Uint8Array(16))).toThrowError(expect.objectContaining({ code: 'BAD_LENGTH' }));
    } finally {
      await done();
    }
  });
  if (name === 'sqlite') {
    it('persists across reopen and never stores the private key in clear', async () => {
      const { rows, done, reopen } = await make();
      try {
        const mk = randomBytes(32);
        const priv = randomBytes(32);
        const ks = new SealedKeyStore(rows, mk);
        await ks.import('k', 'ES256K', new Uint8Array(priv));
        const again = new SealedKeyStore(reopen!(), mk);
        expect((await again.get('k')).publicKey).toEqual(keyPairFromPrivate('ES256K', new Uint8Array(priv)).publicKey);
        const dbFile = (rows as unknown as { db: { name: string } }).db.name;
        const bytes = Buffer.concat([readFileSync(dbFile), (() => { try { return readFileSync(`${dbFile}-wal`); } catch { return Buffer.alloc(0); } })()]);
        expect(bytes.includes(priv)).toBe(false);
        expect(bytes.includes(Buffer.from(priv).toString('hex'))).toBe(false);
      } finally {
        await done();
      }
    });
  }
});
