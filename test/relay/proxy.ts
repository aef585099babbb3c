/**
 * A local JSON-RPC proxy in front of the anvil node for fault tests: per request it passes the call through, hangs
 * (timeout), answers garbage, or rewrites the node's answer (a malicious partner serving well-formed lies).
 */
import { createServer, type Server } from 'node:http';

/** What to do with one request: pass, hang, garbage, or rewrite the parsed response body. */
export type ProxyAction = 'pass' | 'hang' | 'garbage' | { rewrite: (body: any) => any };

/** A running proxy. */
export interface RpcProxy {
  url: string;
  /** Decide per call (`method` of the JSON-RPC request, running count of requests so far). */
  policy: (method: string, n: number) => ProxyAction;
  count: number;
  close(): Promise<void>;
}

/** Start a proxy to `target`. */
export async function startProxy(target: string): Promise<RpcProxy> {
  const hanging = new Set<() => void>();
  const proxy: RpcProxy = { url: '', policy: () => 'pass', count: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let method = '';
      try {
        method = String((JSON.parse(body) as { method?: string }).method ?? '');
      } catch { /* batch or garbage: pass */ }
      const action = proxy.policy(method, proxy.count++);
      if (action === 'hang') {
        const end = () => res.destroy();
        hanging.add(end);
        setTimeout(() => { hanging.delete(end); end(); }, 5000).unref();
        return;
      }
      if (action === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":1,"result":{"garb');
        return;
      }
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      let text = await upstream.text();
      if (typeof action === 'object') text = JSON.stringify(action.rewrite(JSON.parse(text)));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  proxy.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  proxy.close = async () => {
    for (const h of hanging) h();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return proxy;
}
