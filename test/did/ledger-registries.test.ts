import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { StatusListRegistry } from '../../did/status-list.js';
import { LedgerRegistries } from '../../did/ledger-registries.js';

const MOJ = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BUREAU = 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG';
const YEAR = 365 * 86400;

let dir: string;
let ledger: Ledger;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-ledger-registries-'));
  ledger = await Ledger.init(await openSqliteStore(join(dir, 'l.db')), { origin: 'test.courtbridge/did', hashAlg: 'sha256', masterKey: 'test-master-key-0123456789abcdef' });
});
afterEach(async () => {
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LedgerRegistries (issuers and status lists replayed from the real ledger)', () => {
  it('sees accreditations and revocations attested by other writers after a refresh, and skips foreign entries', async () => {
    const now = Math.floor(Date.now() / 1000);
    await ledger.append({ type: 'something-else', n: 1 });
    await ledger.append(new Uint8Array([0xff, 0x00])); // not JSON
    const writerIssuers = new IssuerRegistry([MOJ], ledger);
    const writerStatus = new StatusListRegistry('https://hub.example/status', ledger);
    const url = writerStatus.ensureList('rev', 'revocation');
    const entry = writerStatus.allocate(url);

    const reader = new LedgerRegistries(ledger, [MOJ], 'https://hub.example/status');
    await reader.refresh();
    expect(reader.issuers.isAccredited(BUREAU, 'LawyerLicenseCredential', '110105', now)).toBe(false);
    expect(reader.skipped).toBe(1);

    await writerIssuers.accredit({ issuer: BUREAU, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - YEAR, validUntil: now + YEAR, delegatedBy: MOJ });
    await writerStatus.setStatus(entry, true, MOJ, 'licence revoked');
    expect(reader.issuers.isAccredited(BUREAU, 'LawyerLicenseCredential', '110105', now)).toBe(false); // not yet replayed
    await reader.refresh();
    expect(reader.issuers.isAccredited(BUREAU, 'LawyerLicenseCredential', '110105', now)).toBe(true);
    expect(reader.issuers.isAccredited(BUREAU, 'LawyerLicenseCredential', '310000', now)).toBe(false);
    expect(reader.status.status(entry)).toBe(true);
    await reader.refresh(); // idempotent: nothing new to replay
    expect(reader.status.status(entry)).toBe(true);
  });

  it('keeps refreshing after one failed ledger read (a failure does not wedge the refresh chain)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const reader = new LedgerRegistries(ledger, [MOJ], 'https://hub.example/status');
    await reader.refresh();
    const writerIssuers = new IssuerRegistry([MOJ], ledger);
    await writerIssuers.accredit({ issuer: BUREAU, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: now - YEAR, validUntil: now + YEAR, delegatedBy: MOJ });
    const size = ledger.size.bind(ledger);
    ledger.size = () => Promise.reject(new Error('store unavailable'));
    await expect(reader.refresh()).rejects.toThrow('store unavailable');
    ledger.size = size;
    await reader.refresh();
    expect(reader.issuers.isAccredited(BUREAU, 'LawyerLicenseCredential', '110105', now)).toBe(true);
  });
});
