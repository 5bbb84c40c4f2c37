import assert from "node:assert/strict";
import process from "node:process";
import { IN, Inotify, LibcError, yieldToEventLoop } from "./mod.ts";

Deno.test("yieldToEventLoop() lets a timer that is already due fire", async () => {
  let fired = false;
  setTimeout(() => fired = true, 0);
  const t0 = performance.now();
  // Awaiting resolved promises alone would spin here forever: the timer never gets its turn.
  while (!fired && performance.now() - t0 < 2000) await yieldToEventLoop();
  assert.ok(fired);
});

Deno.test("Inotify reports opens and closes of a watched file, in order", async () => {
  const path = await Deno.makeTempFile({ prefix: "inotify-test-" });
  try {
    await using inotify = Inotify.open();
    const wd = inotify.addWatch(path, IN.OPEN | IN.CLOSE_WRITE | IN.CLOSE_NOWRITE);
    assert.deepEqual(inotify.read(), [], "nothing happened yet (and the read does not block)");
    Deno.openSync(path).close();
    Deno.openSync(path, { write: true }).close();
    assert.equal(await inotify.wait(2000), true);
    const events = inotify.read();
    assert.deepEqual(events.map((e) => e.wd), events.map(() => wd));
    assert.deepEqual(events.map((e) => e.mask), [
      IN.OPEN,
      IN.CLOSE_NOWRITE,
      IN.OPEN,
      IN.CLOSE_WRITE,
    ]);
    assert.equal(await inotify.wait(0), false, "everything was read");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("Inotify.close() ends a pending wait() at once", async () => {
  const inotify = Inotify.open();
  const path = await Deno.makeTempFile({ prefix: "inotify-test-" });
  try {
    inotify.addWatch(path, IN.OPEN);
    const waiting = inotify.wait();
    await inotify.close();
    // Structural: the wait (no timeout) can only end because close() ended it.
    assert.equal(await waiting, false);
    assert.equal(inotify.closed, true);
    await inotify.close(); // idempotent
    assert.throws(() => inotify.read(), /closed/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("Inotify.wait() uses no CPU while it waits", async () => {
  await using inotify = Inotify.open();
  const path = await Deno.makeTempFile({ prefix: "inotify-test-" });
  try {
    inotify.addWatch(path, IN.OPEN);
    const before = process.cpuUsage(); // microseconds, this process
    const t0 = performance.now();
    assert.equal(await inotify.wait(1000), false, "timeout");
    const wall = performance.now() - t0;
    const after = process.cpuUsage();
    // A resource check, not a timing one: whatever the wall time, the wait burns no CPU.
    const cpuMs = (after.user - before.user + after.system - before.system) / 1000;
    assert.ok(cpuMs < 20, `${cpuMs} ms of CPU in ${wall} ms of waiting`);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("Inotify.addWatch() names a missing file in one line", () => {
  using inotify = Inotify.open();
  assert.throws(() => inotify.addWatch("/nonexistent/video99", IN.OPEN), (e: unknown) => {
    assert.ok(e instanceof LibcError);
    assert.equal(e.code, "ENOENT");
    assert.equal(e.message, 'Cannot watch "/nonexistent/video99": no such file (ENOENT)');
    return true;
  });
});
