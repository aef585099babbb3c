/** IPC with a forked server process (the load test's and the `api.mixed` bench's load-server, the bench's bare server). */
import type { ChildProcess } from 'node:child_process';

/** The next IPC message of `child` that has `key`; rejects if the child exits first (`who` names it). */
export function childMessage<T>(child: ChildProcess, key: string, who = 'server'): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m[key] === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`${who} exited (${code}) before answering ${key}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Ask `child` to stop (`{stop: true}`) and wait for its exit; nothing when it has exited already. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ stop: true });
  await exited;
}
