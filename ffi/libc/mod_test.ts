import assert from "node:assert/strict";
import { yieldToEventLoop } from "./mod.ts";

Deno.test("yieldToEventLoop() lets a timer that is already due fire", async () => {
  let fired = false;
  setTimeout(() => fired = true, 0);
  const t0 = performance.now();
  // Awaiting resolved promises alone would spin here forever: the timer never gets its turn.
  while (!fired && performance.now() - t0 < 2000) await yieldToEventLoop();
  assert.ok(fired);
});
