import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IssuerRegistry, jurisdictionWithin } from '../../did/issuers.js';
import { MemorySink } from '../../did/attestation.js';
import { Bitstring, MIN_STATUS_LIST_BITS, StatusListRegistry, parseStatusIndex } from '../../did/status-list.js';
import { identity, YEAR } from './fixtures.js';

const T0 = 1_800_000_000;

describe('trusted-issuer registry (delegation from a root)', () => {
  const setup = () => {
    let now = T0;
    const sink = new MemorySink();
    const moj = identity().did;
    const bj = identity().did;
    const city = identity().did;
    const reg = new IssuerRegistry([moj], sink, () => now);
    return { reg, sink, moj, bj, city, tick: (s: number) => (now += s) };
  };
  const base = { credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: T0 - YEAR, validUntil: T0 + YEAR };

  it('MoJ → Beijing bureau → district bureau; isAccredited by type, jurisdiction and time; every change attested', async () => {
    const { reg, sink, moj, bj, city } = setup();
    await reg.accredit({ ...base, issuer: bj, delegatedBy: moj });
    await reg.accredit({ ...base, issuer: city, jurisdiction: '110105', validFrom: T0 - 100, validUntil: T0 + 100, delegatedBy: bj });
    expect(reg.isAccredited(bj, 'LawyerLicenseCredential', '110105', T0)).toBe(true);
    expect(reg.isAccredited(city, 'LawyerLicenseCredential', '110105', T0)).toBe(true);
    expect(reg.isAccredited(city, 'LawyerLicenseCredential', '110108', T0)).toBe(false); // other district
    expect(reg.isAccredited(city, 'LawyerLicenseCredential', '110105', T0 + 100)).toBe(false); // window is half-open
    expect(reg.isAccredited(city, 'LawyerCreditReportCredential', '110105', T0)).toBe(false);
    expect(reg.isAccredited(moj, 'anything', '650000', 0)).toBe(true);
    expect(sink.entries).toHaveLength(2);
    expect(sink.entries[0]).toMatchObject({ type: 'courtbridge.did.accreditation', action: 'accredit', accreditation: { issuer: bj } });
  });

  it('a delegate cannot exceed its delegator: types, jurisdiction, window; nor delegate without accreditation', async () => {
    const { reg, moj, bj, city } = setup();
    await reg.accredit({ ...base, issuer: bj, delegatedBy: moj });
    const code = async (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string }) => e.code);
    expect(await code(reg.accredit({ ...base, issuer: city, credentialTypes: ['LawyerLicenseCredential', 'LawyerCreditReportCredential'], delegatedBy: bj }))).toBe('ACCREDITATION_EXCEEDS_DELEGATOR');
    expect(await code(reg.accredit({ ...base, issuer: city, jurisdiction: '310000', delegatedBy: bj }))).toBe('ACCREDITATION_EXCEEDS_DELEGATOR');
    expect(await code(reg.accredit({ ...base, issuer: city, jurisdiction: '100000', delegatedBy: bj }))).toBe('ACCREDITATION_EXCEEDS_DELEGATOR');
    expect(await code(reg.accredit({ ...base, issuer: city, validUntil: T0 + 2 * YEAR, delegatedBy: bj }))).toBe('ACCREDITATION_EXCEEDS_DELEGATOR');
    expect(await code(reg.accredit({ ...base, issuer: city, delegatedBy: identity().did }))).toBe('ACCREDITATION_EXCEEDS_DELEGATOR');
    expect(await code(reg.accredit({ ...base, issuer: city, jurisdiction: '11000', delegatedBy: bj }))).toBe('ACCREDITATION_INVALID');
    expect(await code(reg.accredit({ ...base, issuer: city, validUntil: base.validFrom, delegatedBy: bj }))).toBe('ACCREDITATION_INVALID');
    expect(await code(reg.accredit({ ...base, issuer: 'not-a-did', delegatedBy: bj }))).toBe('ACCREDITATION_INVALID');
  });

  it('cyclic delegation is rejected (self, two-step, to a root)', async () => {
    const { reg, moj, bj, city } = setup();
    await reg.accredit({ ...base, issuer: bj, delegatedBy: moj });
    await reg.accredit({ ...base, issuer: city, delegatedBy: bj });
    const code = async (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string }) => e.code);
    expect(await code(reg.accredit({ ...base, issuer: bj, delegatedBy: bj }))).toBe('DELEGATION_CYCLE');
    expect(await code(reg.accredit({ ...base, issuer: bj, delegatedBy: city }))).toBe('DELEGATION_CYCLE');
    expect(await code(reg.accredit({ ...base, issuer: moj, delegatedBy: bj }))).toBe('DELEGATION_CYCLE');
  });

  it('revocation cascades down the chain from the revocation time, and history still answers for earlier dates', async () => {
    const { reg, moj, bj, city, tick } = setup();
    const a = await reg.accredit({ ...base, issuer: bj, delegatedBy: moj });
    await reg.accredit({ ...base, issuer: city, delegatedBy: bj });
    tick(1000);
    await expect(reg.revoke(a.id, city)).rejects.toMatchObject({ code: 'ACCREDITATION_INVALID' }); // not the delegator
    await reg.revoke(a.id, moj);
    expect(reg.isAccredited(city, 'LawyerLicenseCredential', '110000', T0 + 1000)).toBe(false);
    expect(reg.isAccredited(city, 'LawyerLicenseCredential', '110000', T0 + 999)).toBe(true);
    expect(reg.history(bj)[0]!.revokedAt).toBe(T0 + 1000);
  });

  it('jurisdiction containment (GB/T 2260 levels)', () => {
    expect(jurisdictionWithin('110105', '100000')).toBe(true);
    expect(jurisdictionWithin('110105', '110000')).toBe(true);
    expect(jurisdictionWithin('110105', '110100')).toBe(true);
    expect(jurisdictionWithin('110105', '110105')).toBe(true);
    expect(jurisdictionWithin('110108', '110105')).toBe(false);
    expect(jurisdictionWithin('310000', '110000')).toBe(false);
    expect(jurisdictionWithin('100000', '110000')).toBe(false);
  });
});

describe('Bitstring Status List v1.0', () => {
  it('decodes the spec example encodedList (16 KB of zeros) — W3C Bitstring Status List v1.0 §2.2 example', () => {
    const b = Bitstring.decode('uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA');
    expect(b.size).toBe(MIN_STATUS_LIST_BITS);
    expect(b.bytes.every((x) => x === 0)).toBe(true);
  });
  it('index 0 is the left-most bit; encode/decode round-trips (property)', () => {
    const b = new Bitstring();
    b.set(0, true);
    expect(b.bytes[0]).toBe(0x80);
    b.set(9, true);
    expect(b.bytes[1]).toBe(0x40);
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(MIN_STATUS_LIST_BITS - 1), { maxLength: 50 }), (idx) => {
        const x = new Bitstring();
        for (const i of idx) x.set(i, true);
        const y = Bitstring.decode(x.encode());
        for (const i of idx) expect(y.get(i)).toBe(true);
        expect(y.bytes.reduce((n, v) => n + ((v.toString(2).match(/1/g) ?? []).length), 0)).toBe(idx.length);
      }),
      { numRuns: 20 },
    );
  });
  it('bad lists and indexes → coded errors (short list, not gzip, gzip bomb, bad index strings)', async () => {
    const { gzipSync } = await import('node:zlib');
    expect(() => new Bitstring(new Uint8Array(100))).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    expect(() => Bitstring.decode('zabc')).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    expect(() => Bitstring.decode('uAAAA')).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    expect(() => Bitstring.decode(`u${gzipSync(new Uint8Array(100)).toString('base64url')}`)).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    expect(() => Bitstring.decode(`u${gzipSync(new Uint8Array(17 * 1024 * 1024)).toString('base64url')}`)).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    for (const bad of ['-1', '01', '1.5', '', 'x', '99999999999999999']) expect(() => parseStatusIndex(bad), bad).toThrowError(expect.objectContaining({ code: 'STATUS_INDEX_OUT_OF_RANGE' }));
    expect(() => new Bitstring().get(MIN_STATUS_LIST_BITS)).toThrowError(expect.objectContaining({ code: 'STATUS_INDEX_OUT_OF_RANGE' }));
  });
  it('statusAt answers from the attested history ("was this licence valid on date D?")', async () => {
    let now = T0;
    const sink = new MemorySink();
    const reg = new StatusListRegistry('https://hub.example/status', sink, () => now);
    const sus = reg.ensureList('s', 'suspension');
    const rev = reg.ensureList('r', 'revocation');
    const e = reg.allocate(sus);
    const r = reg.allocate(rev);
    now = T0 + 100;
    await reg.setStatus(e, true, 'did:example:bureau', 'investigation');
    now = T0 + 200;
    await reg.setStatus(e, false, 'did:example:bureau');
    now = T0 + 300;
    await reg.setStatus(r, true, 'did:example:bureau');
    expect([T0 + 99, T0 + 100, T0 + 199, T0 + 200].map((t) => reg.statusAt(e, t))).toEqual([false, true, true, false]);
    expect([T0 + 299, T0 + 300].map((t) => reg.statusAt(r, t))).toEqual([false, true]);
    expect(sink.entries.map((x) => (x as { at: number }).at)).toEqual([T0 + 100, T0 + 200, T0 + 300]);
    await expect(reg.setStatus(r, false, 'did:example:bureau')).rejects.toMatchObject({ code: 'STATUS_LIST_INVALID' }); // revocation is permanent
    expect(() => reg.ensureList('s', 'revocation')).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
    expect(() => reg.status({ ...e, statusListCredential: 'https://elsewhere/x' })).toThrowError(expect.objectContaining({ code: 'STATUS_LIST_INVALID' }));
  });
});
