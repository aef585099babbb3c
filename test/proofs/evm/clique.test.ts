/**
 * Clique (EIP-225) signer recovery on simulated headers signed with real secp256k1 keys (simulator producing the
 * geth JSON shape: extraData = vanity ‖ [signers] ‖ seal).
 */
import { describe, expect, it } from 'vitest';
import { cliqueSealDigest, verifyCliqueHeader } from '../../../src/proofs/evm/clique.js';
import { computeBlockHash, parseHeader } from '../../../src/proofs/evm/header.js';
import { concatBytes, fromHex, toHex0x } from '../../../src/crypto/bytes.js';
import { addr, baseHeader, seal, validatorKeys } from './helpers/bft-chain.js';
import { codeOf } from './helpers/codes.js';

function cliqueBlock(signer: Parameters<typeof seal>[0], checkpointSigners: string[] = []): Record<string, unknown> {
  const json: Record<string, unknown> = { ...baseHeader(30000), mixHash: `0x${'00'.repeat(32)}`, difficulty: '0x2' };
  const body = concatBytes(new Uint8Array(32).fill(0x42), ...checkpointSigners.map((a) => fromHex(a, 'a', 20)));
  json.extraData = toHex0x(concatBytes(body, new Uint8Array(65)));
  const digest = cliqueSealDigest(parseHeader(json));
  json.extraData = toHex0x(concatBytes(body, seal(signer, digest)));
  json.hash = toHex0x(computeBlockHash(parseHeader(json)));
  return json;
}

describe('Clique (EIP-225) headers (simulator)', () => {
  const keys = validatorKeys(3, 5);
  const signers = keys.map(addr);

  it('recovers an authorised signer, also on a checkpoint block listing the signers', () => {
    expect(verifyCliqueHeader(cliqueBlock(keys[1]!), signers).signer).toBe(signers[1]);
    expect(verifyCliqueHeader(cliqueBlock(keys[2]!, signers), signers).signer).toBe(signers[2]);
  });

  it('rejects an unauthorised signer, a changed header, a bad hash and short extraData', () => {
    const outsider = validatorKeys(1, 99)[0]!;
    expect(codeOf(() => verifyCliqueHeader(cliqueBlock(outsider), signers))).toBe('SIGNER_NOT_IN_SET');
    const b = cliqueBlock(keys[0]!);
    const changed: Record<string, unknown> = { ...b, gasUsed: '0x5' };
    changed.hash = toHex0x(computeBlockHash(parseHeader(changed)));
    expect(codeOf(() => verifyCliqueHeader(changed, signers))).toMatch(/SIGNER_NOT_IN_SET|SEAL_INVALID/);
    expect(codeOf(() => verifyCliqueHeader({ ...b, gasUsed: '0x5' }, signers))).toBe('BLOCK_HASH_MISMATCH');
    const short: Record<string, unknown> = { ...b, extraData: `0x${'00'.repeat(90)}` };
    short.hash = toHex0x(computeBlockHash(parseHeader(short)));
    expect(codeOf(() => verifyCliqueHeader(short, signers))).toBe('BFT_EXTRA_DATA_INVALID');
    const { hash: _h, ...noHash } = b;
    expect(codeOf(() => verifyCliqueHeader(noHash, signers))).toBe('INVALID_INPUT');
  });
});
