/**
 * Webhook test helpers on real parts: a local node:http receiver that checks every delivery's signature with
 * `verifyDelivery` (the receiver-side check of docs/webhooks.md) and answers as the test scripts it; the relay and
 * webhook tables on a SQLite file or a PostgreSQL schema of their own, closable and reopenable (a restart).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isCourtBridgeError } from '../../src/errors.js';
import type { LedgerStore } from '../../src/ledger/store/types.js';
import { openSqliteStore } from '../../src/ledger/store/sqlite.js';
import { openPostgresStore } from '../../src/ledger/store/postgres.js';
import { openRelayStore } from '../../relay/jobs/open.js';
import type { RelayStore } from '../../relay/jobs/types.js';
import { openWebhookStore } from '../../relay/webhooks/open.js';
import type { WebhookStore } from '../../relay/webhooks/types.js';

/** What the receiver answers to its n-th request (1-based): a status, a redirect, or no answer at all. */
export type Script = (n: number) => number | { status: number; location: string } | 'hang';

/** One request the receiver got. */
export interface Received {
  deliveryId: string | undefined;
  /** The code of a failed signature check (the receiver answered 401), or undefined. */
  verifyError: string | undefined;
  status: number | 'hang';
  body: Record<string, unknown> | undefined;
}

/** A running receiver. */
export interface Receiver {
  url: string;
  requests: Received[];
  /** Deliveries processed (first 2xx answer per delivery id): what "exactly once" counts. */
  processed: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Start a receiver at `http://127.0.0.1:<port>/hook`; `verify` checks (token, body, url) and returns the delivery id. */
export async function startReceiver(verify: (token: string | undefined, body: Buffer, url: string) => Promise<string>, script: Script = () => 200): Promise<Receiver> {
  const requests: Received[] = [];
  const processed = new Map<string, Record<string, unknown>>();
  const hanging: ServerResponse[] = [];
  let url = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const header = req.headers['courtbridge-signature'];
        let deliveryId: string | undefined;
        let verifyError: string | undefined;
        try {
          deliveryId = await verify(typeof header === 'string' ? header : undefined, body, url);
        } catch (e) {
          verifyError = isCourtBridgeError(e) ? e.code : String(e);
        }
        let parsed: Record<string, unknown> | undefined;
        try { parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>; } catch { parsed = undefined; }
        const planned = verifyError === undefined ? script(requests.length + 1) : 401;
        const status = typeof planned === 'object' ? planned.status : planned;
        requests.push({ deliveryId, verifyError, status, body: parsed });
        if (planned === 'hang') { hanging.push(res); return; }
        if (typeof planned === 'object') { res.writeHead(planned.status, { location: planned.location }).end(); return; }
        if (planned >= 200 && planned < 300 && deliveryId !== undefined && !processed.has(deliveryId)) processed.set(deliveryId, parsed!);
        res.writeHead(planned, { 'content-type': 'text/plain' }).end(planned >= 300 ? `receiver says no (${planned})` : 'ok');
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url, requests, processed,
    close: async () => {
      for (const h of hanging) h.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Wait until `cond` holds (polling every 20 ms; fails the test after `ms`). */
export async function until(cond: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The relay and webhook tables of one database. */
export interface WebhookDb {
  kind: 'sqlite' | 'postgres';
  ledgerStore: LedgerStore;
  relay: RelayStore;
  hooks: WebhookStore;
  /** Close the connection and open the same database again (a process restart). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh SQLite file or PostgreSQL schema with the relay tables (schema dropped / file removed on close). */
export async function openWebhookDb(kind: 'sqlite' | 'postgres', pgUrl?: string): Promise<WebhookDb> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-webhooks-'));
  const schema = `cbwh_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const openLedgerStore = () => (kind === 'sqlite' ? openSqliteStore(join(dir, 'courtbridge.db')) : openPostgresStore(pgUrl!, { schema, createSchema: true }));
  const db = { kind } as WebhookDb;
  const open = async () => {
    db.ledgerStore = await openLedgerStore();
    db.relay = await openRelayStore(db.ledgerStore);
    db.hooks = await openWebhookStore(db.ledgerStore);
  };
  await open();
  db.reopen = async () => {
    await db.ledgerStore.close();
    await open();
  };
  db.close = async () => {
    await db.ledgerStore.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
    }
  };
  return db;
}

/** Enqueue, claim and finish (done) one relay job of (chainId, recordType, key) at ledger index `index`; returns the attestation id. */
export async function completeJob(relay: RelayStore, ref: { chainId: string; recordType: string; key: string }, index: number): Promise<string> {
  const { job } = await relay.enqueue({ ...ref, blockHeight: 100 + index, maxAttempts: 3 }, Date.now());
  const claimed = await relay.claim('test-worker', 100, Date.now(), 60_000);
  if (!claimed.some((j) => j.id === job.id)) throw new Error(`job ${job.id} was not claimed`);
  const attestationId = `0x${index.toString(16).padStart(64, '0')}`;
  await relay.finish([{ kind: 'done', jobId: job.id, receipt: { attestationId, jobId: job.id, ledgerIndex: index, leafHash: 'ab'.repeat(32), treeSize: index + 1, createdAt: Date.now() } }], 'test-worker', Date.now());
  return attestationId;
}
