/**
 * Long synchronous work on the main thread (converting chapters, rewriting PDF streams) holds up
 * everything answered from the event loop, Chromium's font requests and print replies among
 * them: pages printing in parallel would wait for this thread instead of working. A ticker lets
 * the loop run every few milliseconds.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

/**
 * A function to await between steps: it yields to the event loop once `ms` have passed (so a
 * signal handler can run), then throws `signal`'s reason if the build was cancelled meanwhile.
 */
export function ticker(ms = 8, signal?: AbortSignal): () => Promise<void> {
  let last = performance.now();
  return async () => {
    signal?.throwIfAborted();
    if (performance.now() - last < ms) return;
    await setImmediate();
    last = performance.now();
    signal?.throwIfAborted();
  };
}
