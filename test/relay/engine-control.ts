/** Test helper: start, stop and restart a relay engine (a restart is a fresh engine, as after a process restart). */
import type { RelayEngine } from '../../relay/engine.js';

/** `start()` builds an engine with `make` (e.g. makeEngine from ./helpers.js) and starts it; `stop()` stops it and closes its chains (safe when not started). */
export function engineControl(make: () => { engine: RelayEngine; chains: { close(): Promise<void> } }): { start(): Promise<RelayEngine>; stop(): Promise<void> } {
  let engine: RelayEngine | undefined;
  let closeChains: (() => Promise<void>) | undefined;
  return {
    start: async () => {
      const made = make();
      engine = made.engine;
      closeChains = () => made.chains.close();
      await engine.start();
      return engine;
    },
    stop: async () => {
      await engine?.stop();
      await closeChains?.();
      engine = undefined;
    },
  };
}
