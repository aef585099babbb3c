/**
 * `courtbridge vc issue|present|verify` — lawyer credentials from the command line.
 *  issue   --type T --issuer-kid KID --subject DID --claims FILE --valid-until ISO [--valid-from ISO]
 *          --status-list URL --status-index N [--suspension-list URL] [--keystore FILE]      → prints the VC JWT
 *  present --holder-kid KID --audience DID --nonce N [--ttl-sec S] [--keystore FILE] VCFILE…  → prints the VP JWT
 *  verify  VPFILE --nonce N --audience DID --trust FILE [--allow-http-localhost]
 *          → one line per step (`step\tok|failed|skipped[\tCODE[\tCAUSE]]`), then `valid` or `invalid\tCODE`;
 *            exit 0 only when valid. The trust file: {roots, accreditations[], hubs[], statusLists{url: jwt}}.
 *  revoke|suspend|reinstate|status — see vc-status.ts (status changes attested to, and read back from, the ledger).
 */
import { parseCliArgs } from '../args.js';
import { fail } from '../../errors.js';
import { MemorySink } from '../../../did/attestation.js';
import { IssuerRegistry, type AccreditationInput } from '../../../did/issuers.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidResolver } from '../../../did/resolver.js';
import { StatusListClient } from '../../../did/status-credential.js';
import { parseStatusIndex, type BitstringStatusListEntry } from '../../../did/status-list.js';
import { issueCredential } from '../../../did/credentials/vc.js';
import { PresentationVerifier, createPresentation } from '../../../did/credentials/presentation.js';
import { parseCredentialType } from '../../../did/credentials/types.js';
import { openConfiguredLedger, openKeyStore, parseTime, readJson, readText } from '../../../did/cli-support.js';
import { changeStatus, credentialStatusAt } from './vc-status.js';
import type { CliIo } from '../io.js';

const OPTIONS = {
  type: { type: 'string' },
  'issuer-kid': { type: 'string' },
  'holder-kid': { type: 'string' },
  subject: { type: 'string' },
  claims: { type: 'string' },
  'valid-from': { type: 'string' },
  'valid-until': { type: 'string' },
  'status-list': { type: 'string' },
  'status-index': { type: 'string' },
  'suspension-list': { type: 'string' },
  audience: { type: 'string' },
  nonce: { type: 'string' },
  'ttl-sec': { type: 'string' },
  trust: { type: 'string' },
  keystore: { type: 'string' },
  'allow-http-localhost': { type: 'boolean' },
  audit: { type: 'boolean' },
  list: { type: 'string' },
  index: { type: 'string' },
  actor: { type: 'string' },
  reason: { type: 'string' },
  at: { type: 'string' },
} as const;

const need = (v: string | undefined, field: string): string => v ?? fail('INVALID_INPUT', { field, reason: 'required' });
const didOf = (kid: string, field: string): string => (kid.includes('#') ? kid.slice(0, kid.indexOf('#')) : fail('INVALID_INPUT', { field, reason: 'a DID URL did:…#fragment' }));

/** Entry point of `courtbridge vc …`. */
export async function vcCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseCliArgs(rest, OPTIONS);
  const v = p.values;
  switch (sub) {
    case 'issue': {
      const kid = need(v['issuer-kid'], '--issuer-kid');
      const list = need(v['status-list'], '--status-list');
      const index = String(parseStatusIndex(need(v['status-index'], '--status-index')));
      const status: BitstringStatusListEntry[] = [{ id: `${list}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: index, statusListCredential: list }];
      const sus = v['suspension-list'];
      if (sus) status.push({ id: `${sus}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: index, statusListCredential: sus });
      const claims = await readJson(need(v.claims, '--claims'));
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) fail('INVALID_INPUT', { field: '--claims', reason: 'a JSON object' });
      const { store, close } = await openKeyStore(v.keystore, io.err);
      try {
        io.out(
          await issueCredential({
            type: parseCredentialType(need(v.type, '--type')),
            signer: await store.signer(kid),
            issuer: didOf(kid, '--issuer-kid'),
            subject: need(v.subject, '--subject'),
            claims: claims as Record<string, unknown>,
            validFrom: parseTime(v['valid-from'], '--valid-from', Math.floor(Date.now() / 1000)),
            validUntil: parseTime(v['valid-until'], '--valid-until'),
            status,
          }),
        );
      } finally {
        await close();
      }
      return 0;
    }
    case 'present': {
      if (p.positionals.length === 0) break;
      const kid = need(v['holder-kid'], '--holder-kid');
      const credentials = await Promise.all(p.positionals.map(readText));
      const ttl = v['ttl-sec'] === undefined ? 300 : Number(v['ttl-sec']);
      if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > 600) fail('BAD_INTEGER', { field: '--ttl-sec' });
      const { store, close } = await openKeyStore(v.keystore, io.err);
      try {
        io.out(await createPresentation({ holder: didOf(kid, '--holder-kid'), signer: await store.signer(kid), credentials, audience: need(v.audience, '--audience'), nonce: need(v.nonce, '--nonce'), ttlSec: ttl }));
      } finally {
        await close();
      }
      return 0;
    }
    case 'verify': {
      if (p.positionals.length !== 1) break;
      const vp = await readText(p.positionals[0]!);
      const trust = (await readJson(need(v.trust, '--trust'))) as { roots?: unknown; accreditations?: unknown; hubs?: unknown; statusLists?: unknown };
      const strings = (x: unknown, field: string): string[] => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? x : fail('INVALID_INPUT', { field, reason: 'an array of DIDs' }));
      const lists = typeof trust.statusLists === 'object' && trust.statusLists !== null ? (trust.statusLists as Record<string, unknown>) : {};
      const accs = Array.isArray(trust.accreditations) ? (trust.accreditations as AccreditationInput[]) : [];
      // Rebuild the registry: each accreditation is replayed at its own start time (delegators must be live then).
      let clock = 0;
      const issuers = new IssuerRegistry(strings(trust.roots, 'trust.roots'), new MemorySink(), () => clock);
      for (const a of [...accs].sort((x, y) => x.validFrom - y.validFrom)) {
        clock = a.validFrom;
        await issuers.accredit(a);
      }
      const jwt = new JwtVerifier(new DidResolver({ allowHttpLocalhost: v['allow-http-localhost'] === true }));
      const status = new StatusListClient(async (url) => (typeof lists[url] === 'string' ? (lists[url] as string) : fail('STATUS_LIST_INVALID', { id: url.slice(0, 200), reason: 'not in the trust file' })), jwt, strings(trust.hubs ?? [], 'trust.hubs'));
      // --audit: the verification is attested (court, credentials, result, time) to the configured ledger.
      const auditLedger = v.audit === true ? await openConfiguredLedger() : undefined;
      let report: Awaited<ReturnType<PresentationVerifier['verify']>>;
      try {
        const verifier = new PresentationVerifier({ jwt, issuers, status, audience: need(v.audience, '--audience'), ...(auditLedger ? { audit: auditLedger } : {}) });
        report = await verifier.verify(vp, need(v.nonce, '--nonce'));
      } finally {
        await auditLedger?.close();
      }
      for (const s of report.steps) io.out([s.step, s.status, s.code, s.cause, s.credential].filter((x) => x !== undefined).join('\t'));
      io.out(report.ok ? 'valid' : `invalid\t${report.error?.code ?? 'INTERNAL'}`);
      return report.ok ? 0 : 1;
    }
    case 'revoke':
    case 'suspend':
    case 'reinstate':
      return changeStatus(sub, v, io);
    case 'status':
      if (p.positionals.length !== 1) break;
      return credentialStatusAt(p.positionals[0]!, v, io);
  }
  io.err('usage: courtbridge vc issue|present|verify|revoke|suspend|reinstate|status … (see src/cli/commands/vc.ts, vc-status.ts)');
  return 2;
}
