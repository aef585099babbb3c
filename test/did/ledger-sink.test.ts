import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/ledger/store/open.js';
import { IssuerRegistry } from '../../did/issuers.js';
import { StatusListRegistry } from '../../did/status-list.js';
import type { AttestationSink } from '../../did/attestation.js';
import { identity, YEAR } from './fixtures.js';

describe('attestations land in the real judicial ledger (SQLite store)', () => {
  it('accreditation and status changes are ledger entries at the receipt index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'did-ledger-'));
    try {
      const store = await openStore({ kind: 'sqlite', path: join(dir, 'l.db') }, { createSchema: true });
      const ledger = await Ledger.init(store, { origin: 'court.test/did', hashAlg: 'sha256', masterKey: 'did-test-master-key-0123456789' });
      const sink: AttestationSink = ledger; // Ledger.append(obj) → { index, … } satisfies the interface as is
      const t0 = 1_800_000_000;
      const moj = identity().did;
      const bj = identity().did;
      let clock = t0;
      const issuers = new IssuerRegistry([moj], sink, () => clock);
      const acc = await issuers.accredit({ issuer: bj, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '110000', validFrom: t0, validUntil: t0 + YEAR, delegatedBy: moj });
      const status = new StatusListRegistry('https://hub.example/status', sink, () => t0 + 5);
      const entry = status.allocate(status.ensureList('rev', 'revocation'));
      const receipt = await status.setStatus(entry, true, bj);
      const first = JSON.parse(Buffer.from((await ledger.get(acc.ledgerIndex)).data).toString('utf8'));
      expect(first).toMatchObject({ type: 'courtbridge.did.accreditation', action: 'accredit', accreditation: { issuer: bj } });
      const second = JSON.parse(Buffer.from((await ledger.get(receipt.index)).data).toString('utf8'));
      expect(second).toMatchObject({ type: 'courtbridge.did.status', index: 0, value: true, at: t0 + 5 });
      // Both registries are pure functions of the ledger: rebuild them from the entries and ask the same questions.
      const later = () => t0 + 10;
      const issuers2 = new IssuerRegistry([moj], { append: async () => ({ index: -1 }) }, later);
      const status2 = new StatusListRegistry('https://hub.example/status', { append: async () => ({ index: -1 }) }, later);
      clock = t0 + 7;
      await issuers.revoke(acc.id, moj);
      const size = (await ledger.head()).treeSize;
      for (let i = 0; i < size; i++) {
        const e = JSON.parse(Buffer.from((await ledger.get(i)).data).toString('utf8'));
        issuers2.replay(e, i) || status2.replay(e);
      }
      expect(issuers2.isAccredited(bj, 'LawyerLicenseCredential', '110105', t0 + 1)).toBe(true);
      expect(issuers2.isAccredited(bj, 'LawyerLicenseCredential', '110105', t0 + 10)).toBe(false); // revoked at t0 + 7
      expect(issuers2.history(bj)[0]!.ledgerIndex).toBe(acc.ledgerIndex);
      expect(status2.statusAt(entry, t0 + 4)).toBe(false);
      expect(status2.statusAt(entry, t0 + 5)).toBe(true);
      expect(() => issuers2.replay({ type: 'courtbridge.did.accreditation', action: 'explode', at: 1 }, 99)).toThrowError(expect.objectContaining({ code: 'ACCREDITATION_INVALID' }));
      await ledger.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
