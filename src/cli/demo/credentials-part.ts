/**
 * Part 4 of the demo: the DID hub. The Ministry of Justice (root) accredits a provincial department of justice
 * (司法厅, the judicial administration) to issue lawyer licences in its province; the department issues a licence
 * credential (JWT VC with Bitstring Status List entries) to a lawyer's DID; the lawyer presents it to a court (a VP
 * bound to the court's nonce and DID) and the court's PresentationVerifier checks every step; the department revokes
 * the licence and the next presentation fails at the `status` step with VC_REVOKED. Every accreditation and status
 * change is attested in the ledger.
 */
import { randomBytes } from 'node:crypto';
import { orgCodeCheckChar, usccCheckChar } from '../../ids/uscc.js';
import { JwtVerifier } from '../../../did/jwt.js';
import { DidResolver } from '../../../did/resolver.js';
import type { AttestationSink } from '../../../did/attestation.js';
import { IssuerRegistry } from '../../../did/issuers.js';
import { StatusListRegistry } from '../../../did/status-list.js';
import { registryStatusChecker } from '../../../did/status-credential.js';
import { issueCredential } from '../../../did/credentials/vc.js';
import { PresentationVerifier, createPresentation, type PresentationReport } from '../../../did/credentials/presentation.js';
import { demoIdentity } from './registrations.js';
import { say } from './ui.js';

const YEAR = 365 * 86_400;

/** What part 4 showed, for the report and the test. */
export interface CredentialsPartResult {
  firstOk: boolean;
  revokedOk: boolean;
  revokedCode: string | undefined;
}

function lawFirmUscc(body8 = '40000123'): string {
  const first17 = `31350000${body8}${orgCodeCheckChar(body8)}`;
  return `${first17}${usccCheckChar(first17)}`;
}

function show(report: PresentationReport): void {
  for (const s of report.steps) say(`     ${s.step.padEnd(18)} ${s.status}${s.code ? `  ${s.code}` : ''}${s.cause ? ` (${s.cause})` : ''}`);
  say(`   → ${report.ok ? 'presentation verified' : `presentation REJECTED: ${report.error?.code ?? 'unknown'}`}`);
}

/** Run part 4 with every event going to `sink` (the ledger). */
export async function credentialsPart(sink: AttestationSink): Promise<CredentialsPartResult> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new JwtVerifier(new DidResolver());
  const moj = demoIdentity('Ed25519');
  const department = demoIdentity('SM2');
  const court = demoIdentity('Ed25519');
  const lawyer = demoIdentity('Ed25519');
  const issuers = new IssuerRegistry([moj.did], sink);
  const acc = await issuers.accredit({ issuer: department.did, credentialTypes: ['LawyerLicenseCredential'], jurisdiction: '350000', validFrom: now - YEAR, validUntil: now + 5 * YEAR, delegatedBy: moj.did });
  say(`   司法部 (root) ${moj.did.slice(0, 28)}… accredits 福建省司法厅 ${department.did.slice(0, 28)}… (SM2) for LawyerLicenseCredential in 350000 (ledger #${acc.ledgerIndex})`);
  const status = new StatusListRegistry('http://127.0.0.1/api/v1/public/status', sink);
  const revocation = status.ensureList('licences-revocation', 'revocation');
  const entry = status.allocate(revocation);
  const token = await issueCredential({
    type: 'LawyerLicenseCredential', signer: department.signer, issuer: department.did, subject: lawyer.did,
    claims: {
      name: '张三', licenseNumber: '13501201010123456', lawFirm: { name: '福建某某律师事务所', uscc: lawFirmUscc() }, jurisdiction: '350102',
      status: 'practising', annualRegistrationValidUntil: new Date((now + YEAR) * 1000).toISOString().slice(0, 10),
    },
    validFrom: now - 86_400, validUntil: now + YEAR, status: [entry],
  });
  say(`   licence issued to lawyer ${lawyer.did.slice(0, 28)}… (JWT VC, ${token.length} bytes; revocation list index ${entry.statusListIndex})`);

  const verifier = new PresentationVerifier({ jwt, issuers, status: registryStatusChecker(status), audience: court.did });
  const present = async () => {
    const nonce = randomBytes(16).toString('base64url');
    const vp = await createPresentation({ holder: lawyer.did, signer: lawyer.signer, credentials: [token], audience: court.did, nonce });
    return verifier.verify(vp, nonce);
  };
  say(`   the lawyer presents the licence to court ${court.did.slice(0, 28)}… (nonce challenge):`);
  const first = await present();
  show(first);

  const { index } = await status.setStatus(entry, true, department.did, 'licence revoked by the department of justice');
  say(`   福建省司法厅 revokes the licence (status list bit set; ledger #${index}); the lawyer presents again:`);
  const second = await present();
  show(second);
  return { firstOk: first.ok, revokedOk: second.ok, revokedCode: second.error?.code };
}
