import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interface } from 'ethers';
import { EthereumDIDRegistry } from 'ethr-did-resolver';
import { DidResolver } from '../../did/resolver.js';
import { JwtVerifier, keyPairSigner, signJwt } from '../../did/jwt.js';
import { keyPairFromPrivate } from '../../src/crypto/signature.js';
import { fromHex } from '../../src/crypto/bytes.js';
import { startAnvil, sendTx, type Anvil } from '../proofs/evm/helpers/anvil.js';

// anvil's well-known dev account 0 (public test mnemonic "test test … junk").
const ACCOUNT0_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ACCOUNT0 = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
const ACCOUNT1_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

let anvil: Anvil;
let registry = '';

beforeAll(async () => {
  anvil = await startAnvil();
  const receipt = await sendTx(anvil, { data: EthereumDIDRegistry.bytecode, gas: '0x' + (3_000_000).toString(16) });
  registry = receipt.contractAddress;
});
afterAll(async () => {
  await anvil?.stop();
});

describe('did:ethr against a local anvil node with the ERC-1056 registry deployed', () => {
  const did = `did:ethr:0x7a69:${ACCOUNT0}`;
  const mk = () => new DidResolver({ ethrNetworks: [{ chainId: 31337, rpcUrl: anvil.url, registry }], timeoutMs: 5000 });

  it('resolves the controller (CAIP-10 blockchainAccountId) and verifies an ES256K JWT by recovery', async () => {
    const resolver = mk();
    const doc = await resolver.resolveDocument(did);
    expect(doc.id).toBe(did);
    expect(JSON.stringify(doc.verificationMethod)).toContain(`eip155:31337:`);
    const kp = keyPairFromPrivate('ES256K', fromHex(ACCOUNT0_KEY, 'key'));
    const token = await signJwt({ iss: did, exp: Math.floor(Date.now() / 1000) + 60 }, keyPairSigner(kp, `${did}#controller`));
    const v = await new JwtVerifier(resolver).verify(token, { purpose: 'authentication' });
    expect(v.kid).toBe(`${did}#controller`);
    // EdDSA against an address-only method is algorithm confusion
    const other = keyPairFromPrivate('ES256K', fromHex(ACCOUNT1_KEY, 'key'));
    const forged = await signJwt({ iss: did }, keyPairSigner(other, `${did}#controller`));
    await expect(new JwtVerifier(resolver).verify(forged, { purpose: 'authentication' })).rejects.toMatchObject({ code: 'JWT_SIGNATURE_INVALID' });
  });

  it('an owner change on chain shows after cache invalidation; the old key stops verifying', async () => {
    const resolver = mk();
    await resolver.resolveDocument(did);
    const iface = new Interface(EthereumDIDRegistry.abi);
    const newOwner = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
    await sendTx(anvil, { to: registry, data: iface.encodeFunctionData('changeOwner', [ACCOUNT0, newOwner]) });
    resolver.invalidate(did);
    const doc = await resolver.resolveDocument(did);
    expect(JSON.stringify(doc.verificationMethod).toLowerCase()).toContain(newOwner);
    const kp = keyPairFromPrivate('ES256K', fromHex(ACCOUNT0_KEY, 'key'));
    const token = await signJwt({ iss: did }, keyPairSigner(kp, `${did}#controller`));
    await expect(new JwtVerifier(resolver).verify(token, { purpose: 'authentication' })).rejects.toMatchObject({ code: 'JWT_SIGNATURE_INVALID' });
    const newKp = keyPairFromPrivate('ES256K', fromHex(ACCOUNT1_KEY, 'key'));
    const ok = await signJwt({ iss: did }, keyPairSigner(newKp, `${did}#controller`));
    expect((await new JwtVerifier(resolver).verify(ok, { purpose: 'authentication' })).issuer).toBe(did);
  });

  it('an unreachable RPC fails with a coded error within the bound', async () => {
    const r = new DidResolver({ ethrNetworks: [{ chainId: 31337, rpcUrl: 'http://127.0.0.1:9', registry }], timeoutMs: 800 });
    const t0 = Date.now();
    const code = await r.resolveDocument(did).then(() => undefined, (e: { code?: string }) => e.code);
    expect(['DID_RESOLUTION_FAILED', 'DID_RESOLUTION_TIMEOUT', 'DID_NOT_FOUND']).toContain(code);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
