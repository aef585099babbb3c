/**
 * `courtbridge did create --alg ALG [--keystore FILE]` — generate a key (Ed25519, ES256K, ES256, SM2), store it sealed
 * and print `{did, kid, alg}` (a did:key; the kid is its DID URL).
 * `courtbridge did resolve DID [--allow-http-localhost] [--timeout-ms N] [--ethr-rpc URL --ethr-registry ADDR
 * --ethr-chain-id N]` — print the DID document.
 */
import { parseCliArgs } from '../args.js';
import { fail } from '../../errors.js';
import { generateKeyPair, parseSigAlg } from '../../crypto/signature.js';
import { didKeyFromPublicKey } from '../../../did/key.js';
import { DidResolver } from '../../../did/resolver.js';
import { openKeyStore } from '../../../did/cli-support.js';
import type { CliIo } from '../io.js';

const OPTIONS = {
  alg: { type: 'string' },
  keystore: { type: 'string' },
  'allow-http-localhost': { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  'ethr-rpc': { type: 'string' },
  'ethr-registry': { type: 'string' },
  'ethr-chain-id': { type: 'string' },
} as const;

function intOpt(v: string | undefined, field: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1 || Number(v) > max) fail('BAD_INTEGER', { field });
  return Number(v);
}

/** Entry point of `courtbridge did …`. */
export async function didCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseCliArgs(rest, OPTIONS);
  const v = p.values;
  switch (sub) {
    case 'create': {
      const alg = parseSigAlg(v.alg ?? 'Ed25519');
      const { store, close } = await openKeyStore(v.keystore, io.err);
      try {
        // The did:key (and so the kid) is known only once the key exists: generate, then store under the DID URL.
        const kp = generateKeyPair(alg);
        try {
          const did = didKeyFromPublicKey(alg, kp.publicKey);
          const kid = `${did}#${did.slice('did:key:'.length)}`;
          await store.import(kid, alg, kp.privateKey);
          io.out(JSON.stringify({ did, kid, alg }));
        } finally {
          kp.privateKey.fill(0);
        }
      } finally {
        await close();
      }
      return 0;
    }
    case 'resolve': {
      if (p.positionals.length !== 1) break;
      const ethr = v['ethr-rpc'];
      const resolver = new DidResolver({
        allowHttpLocalhost: v['allow-http-localhost'] === true,
        timeoutMs: intOpt(v['timeout-ms'], '--timeout-ms', 5000, 120_000),
        ...(ethr ? { ethrNetworks: [{ rpcUrl: ethr, registry: v['ethr-registry'] ?? fail('INVALID_INPUT', { field: '--ethr-registry', reason: 'required with --ethr-rpc' }), chainId: intOpt(v['ethr-chain-id'], '--ethr-chain-id', 1, 2 ** 31) }] } : {}),
      });
      io.out(JSON.stringify(await resolver.resolveDocument(p.positionals[0]!), null, 2));
      return 0;
    }
  }
  io.err('usage: courtbridge did create [--alg Ed25519|ES256K|ES256|SM2] [--keystore FILE]\n       courtbridge did resolve DID [--allow-http-localhost] [--timeout-ms N] [--ethr-rpc URL --ethr-registry ADDR --ethr-chain-id N]');
  return 2;
}
