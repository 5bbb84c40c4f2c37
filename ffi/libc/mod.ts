/**
 * A way for a busy loop to let finished async ops through.
 *
 * The pipeline's live loop awaits only promises that are already resolved when its source is in
 * memory (tests, benchmarks); those never reach the event loop's poll phase, so the promise of a
 * nonblocking ONNX Runtime Run would never settle. Awaiting {@linkcode yieldToEventLoop} costs
 * about 20 µs (a round trip through Deno's blocking-call thread) and lets it settle; a timer
 * (`setTimeout(0)`) would cost a millisecond or more.
 *
 * @module
 */

import { symbols } from "./symbols.ts";

let lib: Deno.DynamicLibrary<typeof symbols> | null = null;

/**
 * Yields to the event loop so that finished async ops (e.g. ONNX Runtime runs) are delivered.
 *
 * @example
 * ```ts
 * while (busy) await yieldToEventLoop();
 * ```
 */
export async function yieldToEventLoop(): Promise<void> {
  lib ??= Deno.dlopen("libc.so.6", symbols);
  await lib.symbols.sched_yield();
}
