/**
 * The adapter registry (explicit factories, duplicates refused, lazy loading) and the JSON-RPC client's error
 * contract against local HTTP servers: size cap, wrong id, JSON-RPC error objects (not failed over), HTTP 5xx,
 * credential stripping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUILTIN_ADAPTER_FACTORIES, createAdapterRegistry, evmAdapterFactory } from '../../adapters/registry.js';
import { createJsonRpcClient, redactUrl } from '../../adapters/rpc.js';
import { CourtBridgeError } from '../../src/errors.js';
import type { AdapterFactory, Registration } from '../../adapters/types.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return e instanceof CourtBridgeError ? e.code : 'NOT_CODED';
  }
}

const reg = (kind: string, url = 'http://127.0.0.1:9'): Registration =>
  ({ chainId: 'eip155:31337', kind, rpc: [{ url }], finality: { rule: 'depth', confirmations: 0 }, recordTypes: {} }) as unknown as Registration;

describe('adapter registry', () => {
  it('holds the built-in evm factory; refuses duplicates (ADAPTER_DUPLICATE) and unknown kinds (ADAPTER_KIND_UNKNOWN)', async () => {
    const r = createAdapterRegistry(BUILTIN_ADAPTER_FACTORIES);
    expect(r.kinds()).toContain('evm');
    expect(() => r.register(evmAdapterFactory)).toThrowError(expect.objectContaining({ code: 'ADAPTER_DUPLICATE' }));
    expect(() => createAdapterRegistry([evmAdapterFactory, evmAdapterFactory])).toThrowError(expect.objectContaining({ code: 'ADAPTER_DUPLICATE' }));
    expect(await codeOf(r.create(reg('cosmos')))).toBe('ADAPTER_KIND_UNKNOWN');
  });

  it('creates through the factory (the evm implementation is loaded on first use); bad registrations are coded', async () => {
    const r = createAdapterRegistry([evmAdapterFactory]);
    const a = await r.create(reg('evm'));
    expect(a.kind).toBe('evm');
    expect(await codeOf(a.finalizedHead())).toBe('RPC_UNAVAILABLE');
    await a.close();
    expect(await codeOf(r.create({ ...reg('evm'), chainId: 'bft:x' }))).toBe('CONFIG_INVALID');
    expect(await codeOf(r.create({ ...reg('evm'), finality: { rule: 'grandpa' } }))).toBe('CONFIG_INVALID');
    expect(await codeOf(r.create({ ...reg('evm'), rpc: [] }))).toBe('CONFIG_INVALID');
    expect(await codeOf(r.create({ ...reg('evm'), recordTypes: { x: { schemaId: 's', mapping: { kind: 'evm-storage', contract: '0x1' } as never } } }))).toBe('MAPPING_INVALID');
  });

  it('a custom factory plugs in without touching the registry module', async () => {
    const fake: AdapterFactory = { kind: 'bft', create: async (r) => ({ chainId: r.chainId, kind: 'bft', finalizedHead: async () => ({ height: 1, hash: '0x', timestamp: 0 }), fetchRecord: async () => { throw new Error('unused'); }, close: async () => undefined }) };
    const r = createAdapterRegistry([evmAdapterFactory, fake]);
    expect((await (await r.create(reg('bft'))).finalizedHead()).height).toBe(1);
  });
});

describe('JSON-RPC client', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  const replies: Record<string, (id: unknown, res: import('node:http').ServerResponse) => void> = {
    '/big': (id, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id, result: 'x'.repeat(5000) })),
    '/wrong-id': (_id, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id: 999999, result: 1 })),
    '/rpc-error': (id, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: 'method not found' } })),
    '/http-500': (_id, res) => res.writeHead(500).end('oops'),
    '/no-result': (id, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id })),
    '/ok': (id, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x10' })),
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { id } = JSON.parse(Buffer.concat(chunks).toString()) as { id: unknown };
        replies[new URL(req.url ?? '/', 'http://x').pathname]!(id, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const client = (paths: string[], extra: object = {}) => createJsonRpcClient({ chain: 'eip155:1', endpoints: paths.map((p) => ({ url: `${url}${p}` })), ...extra });

  it('answers, and fails over to the next endpoint on bad answers, keeping the one that worked', async () => {
    const c = client(['/http-500', '/wrong-id', '/ok']);
    expect(await c.call('eth_blockNumber', [])).toBe('0x10');
    expect(c.preferred).toBe(2);
    hits = 0;
    expect(await c.call('eth_blockNumber', [])).toBe('0x10');
    expect(hits).toBe(1);
    c.close();
  });

  it('RPC_BAD_RESPONSE: over the size cap, wrong id, neither result nor error', async () => {
    expect(await codeOf(client(['/big'], { maxResponseBytes: 1000 }).call('m', []))).toBe('RPC_BAD_RESPONSE');
    expect(await codeOf(client(['/wrong-id']).call('m', []))).toBe('RPC_BAD_RESPONSE');
    expect(await codeOf(client(['/no-result']).call('m', []))).toBe('RPC_BAD_RESPONSE');
  });

  it('RPC_ERROR is an answer: not failed over', async () => {
    hits = 0;
    expect(await codeOf(client(['/rpc-error', '/ok']).call('m', []))).toBe('RPC_ERROR');
    expect(hits).toBe(1);
  });

  it('RPC_UNAVAILABLE on HTTP 5xx; errors name the endpoint without credentials', async () => {
    const c = createJsonRpcClient({ chain: 'eip155:1', endpoints: [{ url: `http://alice:s3cret@${url.slice(7)}/http-500?apikey=s3cret` }] });
    const err = await c.call('m', []).catch((e: CourtBridgeError) => e);
    expect((err as CourtBridgeError).code).toBe('RPC_UNAVAILABLE');
    expect(JSON.stringify((err as CourtBridgeError).toJSON())).not.toContain('s3cret');
    expect((err as CourtBridgeError).message).not.toContain('s3cret');
    expect(redactUrl('https://u:p@node.example:8545/v1/rpc?key=abc#x')).toBe('https://node.example:8545/v1/rpc');
  });

  it('an endpoint header that HTTP cannot carry is CONFIG_INVALID when the client is made, its value never shown', () => {
    for (const headers of [{ 'x-api-key': 'line\r\nbreak-s3cret' }, { 'bad name': 'v' }, { 'x-key': 'caf\u00e9\u4e2d-s3cret' }] as Record<string, string>[]) {
      let err: unknown;
      try {
        createJsonRpcClient({ chain: 'eip155:1', endpoints: [{ url: `${url}/ok`, headers }] });
      } catch (e) {
        err = e;
      }
      expect((err as CourtBridgeError).code).toBe('CONFIG_INVALID');
      expect(JSON.stringify((err as CourtBridgeError).toJSON())).not.toContain('s3cret');
    }
  });
});
