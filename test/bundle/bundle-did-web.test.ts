/**
 * Evidence bundles of a chain registered by a did:web partner (anvil + evm adapter + SQLite; BFT simulator for the
 * did:key contrast): the offline verifier cannot check the partner's signature (`PARTNER_SIGNATURE_BY_HUB`), but the
 * activation entry's `jwsDigest` binds the JWS bytes the hub checked, so a replaced signature or header is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { renderReport } from '../../src/bundle/report.js';
import { verifyEvidenceBundle } from '../../src/bundle/verify.js';
import { BUNDLE_STEPS, type EvidenceBundle } from '../../src/bundle/types.js';
import { identity } from '../adapters/registration/fixtures.js';
import { startWorld, twoBundles, type BundleWorld } from './helpers.js';

const clone = (b: EvidenceBundle): EvidenceBundle => JSON.parse(JSON.stringify(b)) as EvidenceBundle;
const b64url = (v: unknown): string => toBase64Url(utf8(JSON.stringify(v)));

/** The registration step's result, and that every other step passed (the payload, hence the document, is unchanged). */
function registrationOnly(b: EvidenceBundle) {
  const v = verifyEvidenceBundle(b);
  for (const s of v.steps) if (s.name !== 'registration') expect(s.status, `${s.name}: ${s.code}`).toBe('passed');
  expect(v.steps.map((s) => s.name)).toEqual([...BUNDLE_STEPS]);
  return { v, step: v.steps.find((s) => s.name === 'registration')! };
}

describe('evidence bundles of a did:web partner: the registration JWS is bound by the activation entry', () => {
  let w: BundleWorld;
  let evm: EvidenceBundle;
  let bft: EvidenceBundle;

  beforeAll(async () => {
    w = await startWorld('sqlite', undefined, { webPartner: true });
    ({ evm, bft } = await twoBundles(w));
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('the untouched bundle is 一致; its registration step passes as PARTNER_SIGNATURE_BY_HUB', () => {
    expect(w.evmDoc.partner).toBe('did:web:credit-partner.example');
    const { v, step } = registrationOnly(evm);
    expect(v.consistent).toBe(true);
    expect(step).toMatchObject({ status: 'passed', code: 'PARTNER_SIGNATURE_BY_HUB' });
    expect(step.detail).toMatch(/jwsDigest/);
    expect(renderReport(v)).toMatch(/binds the signed JWS by digest/);
  });

  it('the signature segment replaced (same header and payload) is REGISTRATION_INVALID', async () => {
    const [h, p, s] = evm.registration.registrationJws.split('.') as [string, string, string];
    const forged = toBase64Url(await identity('Ed25519').signer.sign(utf8(`${h}.${p}`)));
    expect(forged).not.toBe(s);
    for (const sig of [forged, s.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]) {
      const b = clone(evm);
      b.registration.registrationJws = `${h}.${p}.${sig}`;
      const { v, step } = registrationOnly(b);
      expect(step).toMatchObject({ status: 'failed', code: 'REGISTRATION_INVALID' });
      expect(v.consistent).toBe(false);
      expect(v.reason).toMatchObject({ step: 'registration', code: 'REGISTRATION_INVALID' });
    }
  });

  it('a changed header (another key id, an extra member) is REGISTRATION_INVALID', () => {
    const [h, p, s] = evm.registration.registrationJws.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const changed of [{ ...header, kid: `${w.evmDoc.partner}#key-2` }, { ...header, note: 'x' }]) {
      const b = clone(evm);
      b.registration.registrationJws = `${b64url(changed)}.${p}.${s}`;
      const { v, step } = registrationOnly(b);
      expect(step).toMatchObject({ status: 'failed', code: 'REGISTRATION_INVALID' });
      expect(v.consistent).toBe(false);
    }
  });

  it('did:key partner (SM2, BFT chain): the signature is checked offline and the bundle is 一致; a changed signature is refused', async () => {
    const { v, step } = registrationOnly(bft);
    expect(v.consistent).toBe(true);
    expect(step).toMatchObject({ status: 'passed', code: 'OK' });
    const [h, p] = bft.registration.registrationJws.split('.') as [string, string, string];
    const b = clone(bft);
    b.registration.registrationJws = `${h}.${p}.${toBase64Url(await identity('SM2').signer.sign(utf8(`${h}.${p}`)))}`;
    expect(registrationOnly(b).step).toMatchObject({ status: 'failed', code: 'REGISTRATION_INVALID' });
  });
});
