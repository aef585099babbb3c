/**
 * Registration settings from the environment (read by the CLI and the hub):
 * | Variable | Meaning | Default |
 * |---|---|---|
 * | `COURTBRIDGE_ADMINS` | consortium administrator DIDs, comma-separated (1–256) | — (required to approve) |
 * | `COURTBRIDGE_APPROVAL_THRESHOLD` | distinct admin approvals that activate a registration | majority of the admins |
 */
import { fail } from '../../src/errors.js';

/** Parsed registration settings. */
export interface RegistrationConfig {
  readonly admins: readonly string[];
  readonly threshold: number;
}

const DID_RE = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

/** Parse the admin set and threshold; CONFIG_INVALID naming the variable. */
export function loadRegistrationConfig(env: NodeJS.ProcessEnv = process.env): RegistrationConfig {
  const raw = env.COURTBRIDGE_ADMINS;
  if (raw === undefined || raw.trim() === '') return fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ADMINS', reason: 'set the administrator DIDs (comma-separated)' });
  if (raw.length > 256 * 600) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ADMINS', reason: 'too long' });
  const admins = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (admins.length > 256) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ADMINS', reason: 'at most 256 administrators' });
  for (const a of admins) if (a.length > 512 || !DID_RE.test(a)) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ADMINS', reason: 'every entry must be a DID' });
  if (new Set(admins).size !== admins.length) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_ADMINS', reason: 'duplicate administrator' });
  const t = env.COURTBRIDGE_APPROVAL_THRESHOLD;
  const threshold = t === undefined ? Math.floor(admins.length / 2) + 1 : /^[1-9][0-9]{0,2}$/.test(t) ? Number(t) : fail('CONFIG_INVALID', { field: 'COURTBRIDGE_APPROVAL_THRESHOLD', reason: 'must be a positive integer' });
  if (threshold > admins.length) fail('CONFIG_INVALID', { field: 'COURTBRIDGE_APPROVAL_THRESHOLD', reason: `must be at most ${admins.length}` });
  return { admins, threshold };
}
