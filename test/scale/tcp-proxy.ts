/**
 * A TCP proxy in front of PostgreSQL for the scale-out test: one per worker process, so one worker can be cut off
 * from the database while the others keep their connections. `cut()` is a network partition, not a refusal: every
 * socket stops moving bytes both ways (nothing is closed, so neither side learns anything until its own timeouts —
 * PostgreSQL's `idle_in_transaction_session_timeout`, the worker's lease deadline), and new connections hang the
 * same way. `heal()` lets the buffered bytes flow again, delivering the cut-off worker's stale requests late.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  port: number;
  /** Partition: stop moving bytes on every connection, present and future. */
  cut(): void;
  /** End the partition. */
  heal(): void;
  close(): Promise<void>;
}

/** Start a proxy on a free local port forwarding to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let partitioned = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.setNoDelay(true); // no Nagle delay on top of PostgreSQL's small request/response messages
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    if (partitioned) s.pause();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    track(client);
    track(upstream);
    // pipe() resumes a paused source when the destination drains: forward by hand so a partition stays one.
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!to.write(chunk) && !partitioned) {
          from.pause();
          to.once('drain', () => { if (!partitioned) from.resume(); });
        }
      });
      from.on('end', () => to.end());
      from.on('close', () => to.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    cut: () => {
      partitioned = true;
      for (const s of sockets) s.pause();
    },
    heal: () => {
      partitioned = false;
      for (const s of sockets) s.resume();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
