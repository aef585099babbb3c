/**
 * `courtbridge vc revoke|suspend|reinstate --list URL --index N [--actor DID] [--reason TEXT]` — attest a status change
 * to the configured ledger (revoke: the revocation list; suspend / reinstate: the suspension list).
 * `courtbridge vc status VCFILE [--at ISO]` — was this credential valid at time D? Signature and schema (resolving the
 * issuer), validity window at D, and each status entry as attested on the ledger at D. Prints one line per check,
 * then `valid` or `invalid\tCODE`; exit 0 only when valid.
 */
import { fail } from '../../errors.js';
import { DidResolver } from '../../../did/resolver.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { parseStatusIndex } from '../../../did/status-list.js';
import { verifyCredentialJwt } from '../../../did/credentials/vc.js';
import { parseTime, readText, withLedgerStatus } from '../../../did/cli-support.js';
import type { CliIo } from '../io.js';

/** Values the status subcommands read (parsed by vc.ts). */
export interface StatusValues {
  list?: string;
  index?: string;
  actor?: string;
  reason?: string;
  at?: string;
  'allow-http-localhost'?: boolean;
}

/** `vc revoke|suspend|reinstate`. */
export async function changeStatus(sub: 'revoke' | 'suspend' | 'reinstate', v: StatusValues, io: CliIo): Promise<number> {
  const list = v.list ?? fail('INVALID_INPUT', { field: '--list', reason: 'required' });
  if (!/^https?:\/\/\S{1,2000}$/.test(list)) fail('INVALID_INPUT', { field: '--list', reason: 'an http(s) URL' });
  const index = String(parseStatusIndex(v.index ?? fail('INVALID_INPUT', { field: '--index', reason: 'required' })));
  const purpose = sub === 'revoke' ? 'revocation' : 'suspension';
  const receipt = await withLedgerStatus(async (reg) => {
    reg.adoptList(list, purpose);
    return reg.setStatus({ id: `${list}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: index, statusListCredential: list }, sub !== 'reinstate', v.actor ?? 'cli', v.reason);
  });
  io.out(JSON.stringify({ list, index: Number(index), purpose, value: sub !== 'reinstate', ledgerIndex: receipt.index }));
  return 0;
}

/** `vc status VCFILE [--at ISO]`. */
export async function credentialStatusAt(file: string, v: StatusValues, io: CliIo): Promise<number> {
  const at = parseTime(v.at, '--at', Math.floor(Date.now() / 1000));
  const token = await readText(file);
  const vc = await verifyCredentialJwt(token, new JwtVerifier(new DidResolver({ allowHttpLocalhost: v['allow-http-localhost'] === true })));
  io.out(`signature\tok\t${vc.issuer}`);
  let code: string | undefined;
  const window = at < vc.validFrom ? 'not-yet-valid' : at >= vc.validUntil ? 'expired' : 'ok';
  io.out(`validity\t${window}`);
  if (window !== 'ok') code = window === 'expired' ? 'VC_EXPIRED' : 'VC_NOT_YET_VALID';
  await withLedgerStatus(async (reg) => {
    for (const entry of vc.status) {
      reg.adoptList(entry.statusListCredential, entry.statusPurpose); // a list never changed has no attestations yet
      const set = reg.statusAt(entry, at);
      io.out(`${entry.statusPurpose}\t${set ? 'set' : 'clear'}\t${entry.statusListCredential}#${entry.statusListIndex}`);
      if (set) code ??= entry.statusPurpose === 'revocation' ? 'VC_REVOKED' : 'VC_SUSPENDED';
    }
  });
  io.out(code === undefined ? 'valid' : `invalid\t${code}`);
  return code === undefined ? 0 : 1;
}
