/** `courtbridge proof verify` with the ledger proof types, in-process (main + memoryIo), on files in a temp dir. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { HASHES } from '../../src/crypto/hash.js';
import { toHex, toHex0x } from '../../src/crypto/bytes.js';
import { CompactRange, assemble, consistencyPlan, inclusionPlan, leafHash, type NodeId } from '../../src/ledger/merkle.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { generateNoteKey, parseSignerKey } from '../../src/ledger/note.js';

const dir = mkdtempSync(join(tmpdir(), 'cb-ledger-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tree(alg: 'sha256' | 'sm3', n: number) {
  const h = HASHES[alg];
  const cr = new CompactRange(h);
  const store = new Map<string, Uint8Array>();
  const leaves: Uint8Array[] = [];
  const roots: Uint8Array[] = [cr.root()];
  for (let i = 0; i < n; i++) {
    const lh = leafHash(h, new TextEncoder().encode(`record ${i}`));
    leaves.push(lh);
    for (const c of cr.append(lh)) store.set(`${c.id.level}/${c.id.index}`, c.hash);
    roots.push(cr.root());
  }
  return { h, leaves, roots, get: (id: NodeId) => store.get(`${id.level}/${id.index}`) };
}

let fileNo = 0;
function file(obj: unknown): string {
  const f = join(dir, `p${fileNo++}.json`);
  writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return f;
}
async function verify(obj: unknown): Promise<string> {
  const io = memoryIo();
  const f = file(obj);
  await main(['proof', 'verify', f], io);
  return io.stdout[0]!.slice(f.length + 1);
}

const t = tree('sha256', 21);
const inclusion = {
  type: 'rfc9162-inclusion', leafIndex: 13, treeSize: 21, leafHash: toHex(t.leaves[13]!),
  proof: assemble(t.h, inclusionPlan(13, 21), t.get).map(toHex0x), root: toHex0x(t.roots[21]!), comment: 'unused fields are ignored',
};
const consistency = {
  type: 'rfc9162-consistency', hashAlg: 'sha256', size1: 7, size2: 21, root1: toHex(t.roots[7]!), root2: toHex(t.roots[21]!),
  proof: assemble(t.h, consistencyPlan(7, 21), t.get).map(toHex),
};
const key = generateNoteKey('court.example/ledger', 'ed25519');
const note = signCheckpoint({ origin: 'court.example/ledger', treeSize: 21, root: t.roots[21]!, extensions: [] }, [parseSignerKey(key.signerKey)]);

describe('proof verify: rfc9162-inclusion / rfc9162-consistency / checkpoint', () => {
  it('valid files → valid, exit 0 (sha256, sm3, consistency, checkpoint)', async () => {
    const s = tree('sm3', 9);
    const sm3Inclusion = {
      type: 'rfc9162-inclusion', hashAlg: 'sm3', leafIndex: 8, treeSize: 9, leafHash: toHex(s.leaves[8]!),
      proof: assemble(s.h, inclusionPlan(8, 9), s.get).map(toHex), root: toHex(s.roots[9]!),
    };
    const io = memoryIo();
    const files = [inclusion, sm3Inclusion, consistency, { type: 'checkpoint', note, verifierKey: key.verifierKey }].map(file);
    expect(await main(['proof', 'verify', ...files], io)).toBe(0);
    expect(io.stdout.map((l) => l.split('\t')[1])).toEqual(['valid', 'valid', 'valid', 'valid']);
  });

  it('checked and wrong → invalid with the verify code', async () => {
    expect(await verify({ ...inclusion, leafIndex: 12 })).toBe('invalid\tINCLUSION_PROOF_INVALID');
    expect(await verify({ ...inclusion, treeSize: 13 })).toMatch(/^invalid\t(PROOF_WRONG_LENGTH|PROOF_SIZE_INVALID)$/);
    expect(await verify({ ...inclusion, proof: inclusion.proof.slice(1) })).toBe('invalid\tPROOF_WRONG_LENGTH');
    expect(await verify({ ...inclusion, hashAlg: 'sm3' })).toBe('invalid\tINCLUSION_PROOF_INVALID');
    expect(await verify({ ...inclusion, leafIndex: 21 })).toBe('invalid\tPROOF_SIZE_INVALID');
    expect(await verify({ ...consistency, root1: toHex(t.roots[8]!) })).toBe('invalid\tCONSISTENCY_PROOF_INVALID');
    expect(await verify({ ...consistency, size1: 22 })).toBe('invalid\tPROOF_SIZE_INVALID');
    expect(await verify({ type: 'checkpoint', note: note.replace('\n21\n', '\n22\n'), verifierKey: key.verifierKey })).toBe('invalid\tNOTE_SIGNATURE_INVALID');
    expect(await verify({ type: 'checkpoint', note, verifierKey: generateNoteKey('court.example/ledger').verifierKey })).toBe('invalid\tNOTE_UNSIGNED');
    expect(await verify({ type: 'checkpoint', note: 'court.example/ledger\n21\n', verifierKey: key.verifierKey })).toBe('invalid\tNOTE_MALFORMED');
  });

  it('malformed → error with the input code', async () => {
    for (const bad of [-1, 1.5, 2 ** 53, '13', null]) expect(await verify({ ...inclusion, leafIndex: bad })).toBe('error\tBAD_INTEGER');
    expect(await verify('{"type":"rfc9162-inclusion","leafIndex":13,"treeSize":1e300}')).toBe('error\tBAD_INTEGER');
    expect(await verify({ ...inclusion, root: 'zz' })).toBe('error\tBAD_HEX');
    expect(await verify({ ...inclusion, root: inclusion.root.slice(0, -2) })).toBe('error\tBAD_LENGTH');
    expect(await verify({ ...inclusion, proof: ['0x1234'] })).toBe('error\tBAD_LENGTH');
    expect(await verify({ ...inclusion, proof: 'abc' })).toBe('error\tINVALID_INPUT');
    expect(await verify({ ...inclusion, hashAlg: 'md5' })).toBe('error\tUNSUPPORTED_ALGORITHM');
    // A 10 MB proof array: refused on its length before any hex is parsed.
    const huge = new Array(160_000).fill('0x' + '00'.repeat(32));
    expect(await verify({ ...inclusion, proof: huge })).toBe('error\tTOO_LARGE');
    expect(await verify({ type: 'checkpoint', note, verifierKey: 'not a key' })).toBe('error\tBAD_VERIFIER_KEY');
    expect(await verify({ type: 'checkpoint', note: 42, verifierKey: key.verifierKey })).toBe('error\tINVALID_INPUT');
  });
});

// Needs the build (`npx tsc -p .`, run by `npm test`); skipped when dist/ has no ledger verifiers yet.
const built = existsSync(new URL('../../dist/src/ledger/verify-file.js', import.meta.url));
describe.skipIf(!built)('spawned bin/courtbridge.js', () => {
  it('prints valid / invalid lines and exits 1 when one file is invalid', () => {
    const good = file(inclusion);
    const bad = file({ ...inclusion, leafIndex: 12 });
    let out = '';
    let status = 0;
    try {
      out = execFileSync(process.execPath, [new URL('../../bin/courtbridge.js', import.meta.url).pathname, 'proof', 'verify', good, bad], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { stdout: string; status: number };
      out = err.stdout;
      status = err.status;
    }
    expect(status).toBe(1);
    expect(out.trim().split('\n')).toEqual([`${good}\tvalid`, `${bad}\tinvalid\tINCLUSION_PROOF_INVALID`]);
  });
});
