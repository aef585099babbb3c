/**
 * Evidence mutation (issue 7, reliability suite): bundles exported by `courtbridge bundle export` from a real relay
 * run — anvil + the evm adapter (depth rule, a case party named) and the BFT simulator (SM2 + Ed25519 quorum
 * certificates) — are mutated byte by byte: at a seeded random sample of distinct (position, mask) pairs over EVERY
 * byte of the exported file (whitespace of the pretty-printed text included), the byte is XORed with a non-zero mask
 * and the result goes through exactly what `courtbridge verify FILE` does with the file's bytes
 * (`parseBundleText` then `verifyEvidenceBundle`). Each one must be rejected: a coded read error (the CLI's exit 2)
 * or 不一致 with a coded failing step (exit 1). One that verifies 一致 fails the test, named by bundle, position and
 * mask; the seed is printed so a run is reproducible (COURTBRIDGE_MUTATION_SEED, COURTBRIDGE_MUTATIONS widen it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCourtBridgeError } from '../../src/errors.js';
import { parseBundleText, verifyEvidenceBundle } from '../../src/bundle/verify.js';
import { bundleCommand } from '../../src/cli/commands/bundle.js';
import { memoryIo } from '../../src/cli/io.js';
import { addBlock, copyright, rpc } from '../adapters/bft/helpers.js';
import { uscc } from '../relay/helpers.js';
import { startWorld, type BundleWorld } from '../bundle/helpers.js';
import { prng } from '../helpers/prng.js';

/** Mutations in all (≥ 10,000 by the issue), split between the bundles in proportion to `SHARE`. */
const TOTAL = Number(process.env.COURTBRIDGE_MUTATIONS ?? 10_000);
const SEED = Number(process.env.COURTBRIDGE_MUTATION_SEED ?? 0x7e57_2026);
const SHARE = { evm: 0.6, bft: 0.4 } as const;

/** What `courtbridge verify` makes of `bytes`: a read error code (exit 2), or the verdict (exit 0 / 1). */
function cliOutcome(bytes: Uint8Array): { read: string } | { consistent: boolean; step?: string; code?: string; internal: string[] } {
  let parsed: unknown;
  try {
    parsed = parseBundleText(bytes);
  } catch (e) {
    if (!isCourtBridgeError(e)) throw e;
    return { read: e.code };
  }
  const v = verifyEvidenceBundle(parsed);
  return { consistent: v.consistent, step: v.reason?.step, code: v.reason?.code, internal: v.steps.filter((s) => s.code === 'INTERNAL').map((s) => `${s.name}: ${s.detail}`) };
}

/** Whether the byte at `pos` is escaped (preceded by an odd number of backslashes). */
function escaped(text: Uint8Array, pos: number): boolean {
  let k = 0;
  while (pos - k - 1 >= 0 && text[pos - k - 1] === 0x5c) k++;
  return k % 2 === 1;
}

/** Tally of one bundle's run. */
interface Tally {
  mutations: number;
  readErrors: Record<string, number>;
  failedSteps: Record<string, number>;
  accepted: string[];
  internal: string[];
  ms: number;
}

/** `n` distinct (position, mask) flips of `text`, every byte eligible (`wrap` puts a mutated region back into its file). */
function mutate(name: string, text: Uint8Array, n: number, rnd: () => number, wrap: (m: Uint8Array) => Uint8Array = (m) => m): Tally {
  const t: Tally = { mutations: 0, readErrors: {}, failedSteps: {}, accepted: [], internal: [], ms: 0 };
  const seen = new Set<number>();
  const start = performance.now();
  while (seen.size < Math.min(n, text.length * 255)) {
    const pos = Math.floor(rnd() * text.length);
    const mask = 1 + Math.floor(rnd() * 255);
    if (seen.has(pos * 256 + mask)) continue;
    seen.add(pos * 256 + mask);
    const m = Uint8Array.from(text);
    m[pos] = m[pos]! ^ mask;
    const o = cliOutcome(wrap(m));
    t.mutations++;
    if ('read' in o) {
      t.readErrors[o.read] = (t.readErrors[o.read] ?? 0) + 1;
      continue;
    }
    if (o.consistent) {
      const ctx = Buffer.from(text.subarray(Math.max(0, pos - 24), pos + 24)).toString('utf8');
      t.accepted.push(`${name} position ${pos} mask 0x${mask.toString(16).padStart(2, '0')} (byte 0x${text[pos]!.toString(16)} → 0x${m[pos]!.toString(16)}) near ${JSON.stringify(ctx)}`);
    } else {
      const k = `${o.step}:${o.code}`;
      t.failedSteps[k] = (t.failedSteps[k] ?? 0) + 1;
    }
    t.internal.push(...o.internal.map((s) => `${name} position ${pos} mask 0x${mask.toString(16)}: ${s}`));
  }
  t.ms = performance.now() - start;
  return t;
}

describe('evidence mutation: byte flips of exported bundles are all rejected by the offline verifier (anvil + evm adapter; BFT simulator)', () => {
  let w: BundleWorld;
  let dir: string;
  const files: Record<keyof typeof SHARE, Uint8Array> = { evm: new Uint8Array(), bft: new Uint8Array() };

  /** `courtbridge bundle export <id> --out FILE [--party …]` in process, against the world's store. */
  async function exportBundle(id: string, file: string, parties: string[]): Promise<Uint8Array> {
    const io = memoryIo();
    const code = await bundleCommand(['export', id, '--out', file, ...parties.flatMap((p) => ['--party', p])], io, { ...process.env, ...w.backend.env });
    expect(code, io.stderr.join('\n')).toBe(0);
    return new Uint8Array(readFileSync(file));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-mutation-'));
    w = await startWorld();
    const e = await w.engine.attest(w.evmRef(3), { timeoutMs: 30_000 });
    files.evm = await exportBundle(e.receipt.attestationId, join(dir, 'evm.json'), [uscc(7), w.evmDoc.platform.operatorUscc]);
    // A certified validator-set rotation first, so the BFT bundle carries a hand-over in `validatorSetChain` — the
    // one part no digest covers (only the light client checks it).
    await addBlock(w.sim.url, [copyright(3)]);
    await w.engine.attest(w.bftRef(3), { timeoutMs: 30_000 });
    await rpc(w.sim.url, 'sim_setFault', [{ kind: 'rotate', certified: true, validators: 5 }]);
    await addBlock(w.sim.url, []);
    await addBlock(w.sim.url, [copyright(4)]);
    const b = await w.engine.attest(w.bftRef(4), { timeoutMs: 30_000 });
    files.bft = await exportBundle(b.receipt.attestationId, join(dir, 'bft.json'), []);
  }, 180_000);
  afterAll(async () => {
    await w?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${TOTAL} seeded byte flips (position × non-zero XOR mask) over the exported files: each a coded read error or 不一致, never 一致`, () => {
    // The unmutated exports verify 一致 through the same path (else every flip would be trivially "rejected").
    for (const f of Object.values(files)) expect(cliOutcome(f)).toMatchObject({ consistent: true });
    const rnd = prng(SEED);
    console.log(`mutation seed 0x${SEED.toString(16)} (COURTBRIDGE_MUTATION_SEED), ${TOTAL} mutations (COURTBRIDGE_MUTATIONS)`);
    const tallies = Object.fromEntries((Object.keys(SHARE) as (keyof typeof SHARE)[]).map((k) => [k, mutate(k, files[k], Math.round(TOTAL * SHARE[k]), rnd)]));
    let total = 0;
    for (const [k, t] of Object.entries(tallies)) {
      total += t.mutations;
      console.log(`${k}: ${files[k as keyof typeof SHARE].length} bytes, ${t.mutations} mutations in ${(t.ms / 1000).toFixed(1)} s (${Math.round(t.mutations / (t.ms / 1000))}/s); read errors ${JSON.stringify(t.readErrors)}; failed steps ${JSON.stringify(t.failedSteps)}; accepted ${t.accepted.length}`);
    }
    const accepted = Object.values(tallies).flatMap((t) => t.accepted);
    for (const a of accepted.slice(0, 50)) console.log(`ACCEPTED (一致): ${a}`);
    expect(total).toBeGreaterThanOrEqual(TOTAL);
    expect(Object.values(tallies).flatMap((t) => t.internal)).toEqual([]);
    expect(accepted).toEqual([]);
  }, 600_000);
  it('1,000 seeded flips inside the BFT bundle\'s validator-set chain (checked by the light client only, no digest): never 一致', () => {
    const text = Buffer.from(files.bft).toString('latin1');
    const start = text.indexOf('"validatorSetChain": [');
    const end = text.indexOf('\n  ],\n', start);
    expect(start).toBeGreaterThan(0);
    expect(end - start).toBeGreaterThan(1000); // the hand-over is there (header, certificate, revealed set)
    const region = files.bft.subarray(start, end);
    const rnd = prng(SEED ^ 0x5e7);
    // Mutate the region in place inside the whole file: `mutate` over a view keeps positions relative to `start`.
    const t = mutate('bft validatorSetChain', region, 1000, rnd, (m) => {
      const whole = Uint8Array.from(files.bft);
      whole.set(m, start);
      return whole;
    });
    console.log(`bft validatorSetChain (bytes ${start}–${end}): ${t.mutations} mutations; read errors ${JSON.stringify(t.readErrors)}; failed steps ${JSON.stringify(t.failedSteps)}`);
    expect(t.internal).toEqual([]);
    expect(t.accepted).toEqual([]);
  }, 300_000);

  it('the whitespace class: every space / line break of the exported EVM file turned into another JSON whitespace byte is refused (BUNDLE_MALFORMED), not 一致', () => {
    // JSON whitespace carries no content, so no digest or signature covers it; only the exported-form rule rejects it.
    const masks: Record<number, number[]> = { 0x20: [0x29, 0x2a, 0x2d], 0x0a: [0x03, 0x07, 0x2a] };
    const codes: Record<string, number> = {};
    let n = 0;
    let inString = false;
    files.evm.forEach((byte, pos) => {
      // Only whitespace between tokens (inside a string a raw tab or line break is not JSON, and a space is content).
      if (byte === 0x22 && !escaped(files.evm, pos)) inString = !inString;
      if (inString) return;
      for (const mask of masks[byte] ?? []) {
        const m = Uint8Array.from(files.evm);
        m[pos] = byte ^ mask;
        const o = cliOutcome(m);
        const k = 'read' in o ? o.read : o.consistent ? `一致 at ${pos} mask 0x${mask.toString(16)}` : `${o.step}:${o.code}`;
        codes[k] = (codes[k] ?? 0) + 1;
        n++;
      }
    });
    console.log(`whitespace class: ${n} mutations → ${JSON.stringify(codes)}`);
    expect(n).toBeGreaterThan(1000);
    expect(codes).toEqual({ BUNDLE_MALFORMED: n });
    // The exported forms themselves are read: compact (the API) and RFC 8785 as well as the file as written.
    const b = parseBundleText(files.evm);
    expect(cliOutcome(new TextEncoder().encode(JSON.stringify(b)))).toMatchObject({ consistent: true });
    expect(cliOutcome(new TextEncoder().encode(JSON.stringify(b, null, 2)))).toMatchObject({ consistent: true });
    expect(cliOutcome(new TextEncoder().encode(JSON.stringify(b, null, 4)))).toEqual({ read: 'BUNDLE_MALFORMED' });
  }, 300_000);
});
