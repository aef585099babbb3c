/**
 * The demo's partner chains, started locally: two anvil nodes (market supervision: EnterpriseInfoRegistry; credit:
 * DishonestDebtorList, compiled with solc from test/fixtures/contracts) and the BFT simulator as a separate process
 * (copyright chain). Every process is handed to `track` the moment it is spawned, so the caller stops it on success, on
 * error and on SIGINT alike.
 */
import { Interface, encodeBytes32String, keccak256, toUtf8Bytes } from 'ethers';
import { compileContract, sendTx, startAnvil, type Anvil } from '../../../adapters/evm/dev-node.js';
import { spawnSimulator, type SimulatorProcess } from '../../../adapters/bft/simulator/spawn.js';
import { fail } from '../../errors.js';
import { orgCodeCheckChar, usccCheckChar } from '../../ids/uscc.js';

/** Blocks on top of a record before the depth rule treats it as final. */
export const CONFIRMATIONS = 2;
/** Field order of the EnterpriseInfoRegistry struct. */
export const ENTERPRISE_FIELDS = ['uscc', 'name', 'entityType', 'legalRepresentative', 'establishmentDate', 'registrationAuthority', 'status'] as const;

/** A stoppable child process, by pid. */
export interface Tracked {
  name: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** A valid USCC number `i` (GB 32100 check characters computed). */
export function demoUscc(i: number): string {
  const body8 = `M${String(i).padStart(7, '0')}`;
  const first17 = `91350100${body8}${orgCodeCheckChar(body8)}`;
  return first17 + usccCheckChar(first17);
}

/** Enterprise record `i` (valid against market/enterprise-basic-info/v1). */
export function demoEnterprise(i: number): Record<(typeof ENTERPRISE_FIELDS)[number], string> {
  return {
    uscc: demoUscc(i), name: `示例科技有限公司${i}`, entityType: '有限责任公司（自然人投资或控股）', legalRepresentative: `钱七${i}`,
    establishmentDate: '2016-03-01', registrationAuthority: '福州市市场监督管理局', status: 'active',
  };
}

/** A copyright registration `n` (valid against ip/copyright-registration/v1). */
export function demoCopyright(n: number): Record<string, unknown> {
  return {
    registrationNumber: `国作登字-2026-F-${String(n).padStart(8, '0')}`,
    workTitle: `《山水长卷》数字版 ${n}`,
    workCategory: 'fine-art',
    copyrightOwners: [{ kind: 'legal-person', orgName: '北京某某文化传媒有限公司', uscc: '91110000802100433B' }],
    rightsAcquisition: 'original',
    registrationDate: '2026-03-01',
    registrationAuthority: '中国版权保护中心',
  };
}

/** The started chains and what was written to them. */
export interface DemoChains {
  market: { anvil: Anvil; chainId: string; contract: string; usccs: string[] };
  credit: { anvil: Anvil; chainId: string; contract: string; subjects: string[] };
  copyright: { sim: SimulatorProcess; chainId: string; registrationNumbers: string[] };
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { code?: number; message: string } };
  if (body.error) fail('RPC_ERROR', { method, chain: 'bft:copyright-sim', endpoint: url, rpcCode: body.error.code ?? 0, reason: body.error.message });
  return body.result;
}

/** Start the three partner chains and write the demo records; `track` receives each process as soon as it runs. */
export async function startDemoChains(track: (t: Tracked) => void, salt: Uint8Array): Promise<DemoChains> {
  // Market supervision: enterprise basic information, keyed by USCC.
  const marketNode = await startAnvil({ chainId: 31337, onSpawn: (child, stop) => track({ name: 'anvil (market supervision)', pid: child.pid, stop }) });
  const registry = compileContract('EnterpriseInfoRegistry');
  const marketContract = String((await sendTx(marketNode, { data: registry.bytecode, gas: '0x500000' })).contractAddress).toLowerCase();
  const regI = new Interface(['function register(bytes32 key, string[] f)']);
  const usccs: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const r = demoEnterprise(i);
    await sendTx(marketNode, { to: marketContract, data: regI.encodeFunctionData('register', [encodeBytes32String(r.uscc), ENTERPRISE_FIELDS.map((f) => r[f])]), gas: '0x500000' });
    usccs.push(r.uscc);
  }
  await marketNode.rpc('anvil_mine', [`0x${CONFIRMATIONS.toString(16)}`]);

  // Credit: the dishonest-debtor list, keyed by a salted subject hash (no personal data on chain).
  const creditNode = await startAnvil({ chainId: 31338, onSpawn: (child, stop) => track({ name: 'anvil (credit)', pid: child.pid, stop }) });
  const list = compileContract('DishonestDebtorList');
  const creditContract = String((await sendTx(creditNode, { data: list.bytecode, gas: '0x500000' })).contractAddress).toLowerCase();
  const listI = new Interface(list.abi as never);
  const subject = keccak256(new Uint8Array([...salt, ...toUtf8Bytes('resident-id:110105199001011234')]));
  const caseHash = keccak256(toUtf8Bytes('(2024)闽0102执88号'));
  await sendTx(creditNode, { to: creditContract, data: listI.encodeFunctionData('list', [subject, caseHash]) });
  await creditNode.rpc('anvil_mine', [`0x${CONFIRMATIONS.toString(16)}`]);

  // Copyright: the BFT simulator (SM2 + Ed25519 validators, quorum certificates), one block of registrations.
  const sim = await spawnSimulator([]);
  track({ name: 'BFT simulator (copyright)', pid: sim.child.pid, stop: sim.stop });
  const registrationNumbers: string[] = [];
  for (const n of [1, 2]) {
    const rec = demoCopyright(n);
    await rpc(sim.url, 'bft_submitRecord', ['copyright-registration', rec, 'registrationNumber']);
    registrationNumbers.push(String(rec.registrationNumber));
  }
  await rpc(sim.url, 'sim_produceBlock');

  return {
    market: { anvil: marketNode, chainId: 'eip155:31337', contract: marketContract, usccs },
    credit: { anvil: creditNode, chainId: 'eip155:31338', contract: creditContract, subjects: [subject] },
    copyright: { sim, chainId: 'bft:copyright-sim', registrationNumbers },
  };
}
