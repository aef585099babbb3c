/**
 * `courtbridge proof verify` with `type: "signature"`, in process (`main([...], memoryIo())`): valid, invalid
 * (SIGNATURE_INVALID → `invalid`) and malformed input (input-category codes → `error`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { generateKeyPair, sign, type SigAlg } from '../../src/crypto/signature.js';
import { rawToDer } from '../../src/crypto/ecdsa-der.js';
import { toHex, toHex0x, utf8 } from '../../src/crypto/bytes.js';
import { verifySignatureFile } from '../../src/crypto/verify-file.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-sigfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

async function run(content: unknown): Promise<{ rc: number; line: string }> {
  const file = join(dir, `f${counter++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  const io = memoryIo();
  const rc = await main(['proof', 'verify', file], io);
  return { rc, line: (io.stdout[0] ?? '').replace(`${file}\t`, '') };
}

function fixture(alg: SigAlg, extra: Record<string, unknown> = {}, userId?: string) {
  const kp = generateKeyPair(alg);
  const message = utf8(`(2026)京01民初123号 ${alg}`);
  const signature = sign(kp, message, userId === undefined ? {} : { userId });
  return { kp, message, signature, file: { type: 'signature', alg, publicKey: toHex(kp.publicKey), message: toHex(message), signature: toHex(signature), ...extra } };
}

describe('proof type "signature"', () => {
  it.each(['Ed25519', 'ES256K', 'ES256', 'SM2'] as const)('%s: a good signature is valid (exit 0)', async (alg) => {
    expect(await run(fixture(alg).file)).toEqual({ rc: 0, line: 'valid' });
  });

  it('accepts 0x-prefixed hex, DER signatures, an SM2 user ID, and ignores unused fields', async () => {
    const f = fixture('ES256K');
    expect(await run({ ...f.file, publicKey: toHex0x(f.kp.publicKey), message: toHex0x(f.message), signature: toHex0x(rawToDer(f.signature)), signatureEncoding: 'der', note: 'x', userId: 'ignored for ES256K' })).toEqual({ rc: 0, line: 'valid' });
    const s = fixture('SM2', {}, 'clerk@bjcourt.gov.cn');
    expect(await run({ ...s.file, userId: 'clerk@bjcourt.gov.cn' })).toEqual({ rc: 0, line: 'valid' });
    expect(await run({ ...s.file, signature: toHex(rawToDer(s.signature)), signatureEncoding: 'der', userId: 'clerk@bjcourt.gov.cn' })).toEqual({ rc: 0, line: 'valid' });
  });

  it('a well-formed signature that does not verify is invalid SIGNATURE_INVALID (exit 1)', async () => {
    const f = fixture('Ed25519');
    const bad = Uint8Array.from(f.signature);
    bad[0]! ^= 1;
    expect(await run({ ...f.file, signature: toHex(bad) })).toEqual({ rc: 1, line: 'invalid\tSIGNATURE_INVALID' });
    expect(await run({ ...f.file, message: toHex(utf8('other')) })).toEqual({ rc: 1, line: 'invalid\tSIGNATURE_INVALID' });
    const s = fixture('SM2', {}, 'alice');
    expect(await run(s.file)).toEqual({ rc: 1, line: 'invalid\tSIGNATURE_INVALID' }); // default ID ≠ alice
    const e = fixture('ES256');
    expect(await run({ ...e.file, signature: '00'.repeat(64) })).toEqual({ rc: 1, line: 'invalid\tSIGNATURE_INVALID' }); // r = s = 0
  });

  it('malformed input is an error with an input-category code (exit 1)', async () => {
    const f = fixture('ES256');
    const ed = fixture('Ed25519');
    const cases: [Record<string, unknown>, string][] = [
      [{ ...f.file, alg: 'RS256' }, 'UNSUPPORTED_ALGORITHM'],
      [{ ...f.file, alg: undefined }, 'UNSUPPORTED_ALGORITHM'],
      [{ ...f.file, publicKey: 'zz' }, 'BAD_HEX'],
      [{ ...f.file, publicKey: 42 }, 'BAD_HEX'],
      [{ ...f.file, message: '0x1' }, 'BAD_HEX'],
      [{ ...f.file, message: undefined }, 'BAD_HEX'],
      [{ ...f.file, signature: toHex(f.signature).slice(2) }, 'BAD_LENGTH'],
      [{ ...f.file, publicKey: toHex(f.kp.publicKey).slice(2) }, 'BAD_LENGTH'],
      [{ ...ed.file, publicKey: `${toHex(ed.kp.publicKey)}00` }, 'BAD_LENGTH'],
      [{ ...f.file, publicKey: `04${'11'.repeat(64)}` }, 'BAD_PUBLIC_KEY'],
      [{ ...f.file, signatureEncoding: 'pem' }, 'INVALID_INPUT'],
      [{ ...ed.file, signatureEncoding: 'der' }, 'INVALID_INPUT'],
      [{ ...f.file, signature: `${toHex(rawToDer(f.signature))}00`, signatureEncoding: 'der' }, 'INVALID_INPUT'],
      [{ ...fixture('SM2').file, userId: 'caf\u00e9' }, 'INVALID_INPUT'],
      [{ ...fixture('SM2').file, userId: 7 }, 'INVALID_INPUT'],
    ];
    for (const [content, expected] of cases) {
      const r = await run(content);
      expect(r, JSON.stringify(content).slice(0, 120)).toEqual({ rc: 1, line: `error\t${expected}` });
    }
  });

  it('the verifier function throws coded errors directly (what the registry calls)', () => {
    const f = fixture('ES256K');
    expect(() => verifySignatureFile(f.file)).not.toThrow();
    expect(() => verifySignatureFile({ ...f.file, signature: '11'.repeat(64) })).toThrowError(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });

  it('spawned process: node bin/courtbridge.js proof verify, valid and invalid (needs a prior `npx tsc -p .`)', () => {
    if (!existsSync('dist/src/crypto/verify-file.js')) return; // built output absent: covered in-process above
    const f = fixture('SM2');
    const good = join(dir, 'spawn-good.json');
    const bad = join(dir, 'spawn-bad.json');
    writeFileSync(good, JSON.stringify(f.file));
    writeFileSync(bad, JSON.stringify({ ...f.file, message: '00' }));
    const r = spawnSync('node', ['bin/courtbridge.js', 'proof', 'verify', good, bad], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual([`${good}\tvalid`, `${bad}\tinvalid\tSIGNATURE_INVALID`]);
    expect(r.status).toBe(1);
  });
});
