import assert from "node:assert/strict";
import process from "node:process";
import { FrameTiming, makeFrame } from "../frame/mod.ts";
import type { Frame } from "../frame/mod.ts";
import { DeviceError } from "./errors.ts";
import { countHandles } from "./holders.ts";
import { type PausableSource, ReaderGate, ReaderWatch } from "./readers.ts";

// Real inotify on a temporary file: it reports opens and closes of any file like those of a
// device node. Handles are opened by this process and by child shells.

/** Waits until `check()` holds, polling every 10 ms. */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Lets the watch read what is queued and, with `recheckMs: 20`, look in `/proc` after closes
 * (nothing else changes: the state stays as it was).
 */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * A shell that opens `path` twice (fds 3 and 4, back to back: the kernel may merge the two
 * `IN_OPEN` events), then closes fd 3 and exits on a line from the test.
 */
class Holder implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #in: WritableStreamDefaultWriter<Uint8Array>;
  readonly #out: ReadableStreamDefaultReader<string>;
  #buffered = "";

  constructor(path: string) {
    this.#child = new Deno.Command("sh", {
      args: ["-c", 'exec 3<"$0" 4<"$0"; echo open; read x; exec 3<&-; echo one; read y', path],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    this.#in = this.#child.stdin.getWriter();
    this.#out = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Waits for the shell to print `line`. */
  async expect(line: string): Promise<void> {
    while (!this.#buffered.includes(`${line}\n`)) {
      const { value, done } = await this.#out.read();
      if (done) throw new Error(`The shell ended before printing "${line}"`);
      this.#buffered += value;
    }
  }

  /** Sends a line (the shell goes on to its next step). */
  async next(): Promise<void> {
    await this.#in.write(new TextEncoder().encode("\n"));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#in.close().catch(() => {});
    await this.#out.cancel().catch(() => {});
    await this.#child.status;
  }
}

async function withTempFile(fn: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "readers-test-" });
  try {
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("ReaderWatch counts opens minus closes of handles opened after it started", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path);
    assert.equal(watch.path, path);
    assert.equal(watch.readers, 0);
    assert.ok(watch.unreadSince !== null && watch.unreadSince <= performance.now());
    const a = await Deno.open(path);
    assert.equal(await watch.waitForReader(AbortSignal.timeout(3000)), true);
    assert.equal(watch.readers, 1);
    assert.equal(watch.unreadSince, null);
    const b = await Deno.open(path, { write: true }); // closes as IN_CLOSE_WRITE
    await until(() => watch.readers === 2, "2 readers");
    a.close();
    await until(() => watch.readers === 1, "1 reader");
    const before = performance.now();
    b.close();
    assert.equal(await watch.waitForNoReaders(AbortSignal.timeout(3000)), true);
    assert.equal(watch.readers, 0);
    assert.ok(watch.unreadSince! >= before, "unreadSince is when the last reader closed");
  });
});

Deno.test("ReaderWatch never counts below 0 when a handle from before it closes", async () => {
  await withTempFile(async (path) => {
    // This process's own handle, opened (say, while negotiating) before the watch starts.
    const own = await Deno.open(path);
    await using watch = ReaderWatch.open(path);
    assert.equal(watch.readers, 0, "this process's own handle is not a reader");
    own.close();
    await settle();
    assert.equal(watch.readers, 0);
    // Read in one go, a close and an open (out of step with the count) give one reader.
    const pre = await Deno.open(path);
    await settle();
    assert.equal(watch.readers, 1);
    pre.close();
    const c = Deno.openSync(path);
    await until(() => watch.readers === 1, "1 reader");
    await settle();
    assert.equal(watch.readers, 1);
    c.close();
    await until(() => watch.readers === 0, "no reader");
  });
});

Deno.test("ReaderWatch counts another process, even when its two opens merge into one event", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path, { recheckMs: 20 });
    {
      await using shell = new Holder(path);
      await shell.expect("open");
      assert.equal(await watch.waitForReader(AbortSignal.timeout(3000)), true);
      await settle();
      const both = watch.readers;
      assert.ok(both === 1 || both === 2, `${both} readers`);
      await shell.next(); // closes one of its two handles
      await shell.expect("one");
      await settle();
      assert.equal(watch.readers, 1, "the other handle is still open");
      await shell.next(); // exits
    }
    assert.equal(await watch.waitForNoReaders(AbortSignal.timeout(3000)), true);
  });
});

Deno.test("ReaderWatch counts a process that had the file open before it started", async () => {
  await withTempFile(async (path) => {
    await using shell = new Holder(path);
    await shell.expect("open");
    await using watch = ReaderWatch.open(path, { recheckMs: 20 });
    assert.equal(watch.readers, 1, "found in /proc");
    assert.equal(watch.unreadSince, null);
    await shell.next();
    await shell.expect("one");
    await settle();
    assert.equal(watch.readers, 1);
    await shell.next();
    assert.equal(await watch.waitForNoReaders(AbortSignal.timeout(3000)), true);
    assert.ok(watch.unreadSince !== null);
  });
});

Deno.test("ReaderWatch waits end on abort and on close(), and use no CPU", async () => {
  await withTempFile(async (path) => {
    const watch = ReaderWatch.open(path);
    const before = process.cpuUsage();
    const t0 = performance.now();
    assert.equal(await watch.waitForReader(AbortSignal.timeout(1000)), false, "aborted");
    const wall = performance.now() - t0;
    const after = process.cpuUsage();
    const cpu = (after.user - before.user + after.system - before.system) / 1000;
    // A resource check, not a timing one: the wait burns no CPU.
    assert.ok(cpu / wall < 0.02, `${cpu.toFixed(1)} ms of CPU in ${wall.toFixed(0)} ms`);
    const pending = watch.waitForReader();
    await watch.close();
    assert.equal(await pending, false, "closed");
    assert.equal(await watch.waitForReader(), false, "already closed");
    await watch.close(); // idempotent
  });
});

Deno.test("ReaderWatch.open() names a missing node in one line", () => {
  assert.throws(
    () => ReaderWatch.open("/nonexistent/video99"),
    (e: unknown) => {
      assert.ok(e instanceof DeviceError && e.kind === "not-found");
      assert.deepEqual([e.path, e.purpose, e.code], ["/nonexistent/video99", "virtual", "ENOENT"]);
      assert.equal(e.message, 'Cannot watch "/nonexistent/video99": no such file (ENOENT)');
      return true;
    },
  );
});

Deno.test("ReaderWatch reports a watched node that disappears", async () => {
  const path = await Deno.makeTempFile({ prefix: "readers-test-" });
  await using watch = ReaderWatch.open(path);
  const waiting = assert.rejects(watch.waitForReader(), (e: unknown) => {
    // The facts only: the likely cause and what to do about it (load v4l2loopback, start again)
    // are the CLI's to say, from the kind and purpose.
    assert.ok(e instanceof DeviceError && e.kind === "disconnected" && e.path === path);
    assert.equal(e.purpose, "virtual");
    assert.equal(
      e.message,
      `Cannot watch "${path}" for readers: it disappeared`,
    );
    return true;
  });
  await Deno.remove(path);
  await waiting;
  await assert.rejects(watch.waitForReader(), /it disappeared/, "and keeps saying so");
});

/** A source of numbered frames (the number in the first luma byte) that logs what it is asked. */
class FakeSource implements PausableSource {
  readonly size = { width: 4, height: 2 };
  readonly fps = 30;
  readonly description = "fake";
  readonly log: string[] = [];
  #n = 0;

  read(into: Frame, timing: FrameTiming): Promise<boolean> {
    into.y[0] = ++this.#n;
    timing.decode = 1.5;
    this.log.push(`read ${this.#n}`);
    return Promise.resolve(true);
  }

  pause(): void {
    this.log.push("pause");
  }

  resume(): void {
    this.log.push("resume");
  }

  close(): Promise<void> {
    this.log.push("close");
    return Promise.resolve();
  }
}

Deno.test("ReaderGate pauses the source after idleAfterMs without readers, resumes on an open", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path);
    const source = new FakeSource();
    const events: string[] = [];
    const gate = new ReaderGate(source, watch, {
      idleAfterMs: 300,
      onIdle: () => events.push("idle"),
      onResume: (ms) => events.push(`resume after ${ms >= 90 ? "a while" : ms}`),
    });
    assert.deepEqual([gate.size, gate.fps, gate.description], [source.size, 30, "fake"]);
    const frame = makeFrame(gate.size, "422");
    const timing = new FrameTiming();
    // Within idleAfterMs of the start: reads go through, with the source's timing.
    assert.equal(await gate.read(frame, timing), true);
    assert.equal(timing.decode, 1.5, "the source's decode time reaches the caller's record");
    timing.reset();
    assert.equal(await gate.read(frame, timing), true);
    assert.equal(timing.decode, 1.5);
    await new Promise((r) => setTimeout(r, 350));
    // Nobody opened the file for 300 ms: the next read pauses and waits for a reader.
    const reading = gate.read(frame, timing);
    await settle();
    assert.deepEqual(source.log, ["read 1", "read 2", "pause"]);
    assert.deepEqual(events, ["idle"]);
    using _reader = await Deno.open(path);
    // Structural: the paused read can only end because the open woke it.
    assert.equal(await reading, true);
    assert.deepEqual(source.log, ["read 1", "read 2", "pause", "resume", "read 3"]);
    assert.deepEqual(events, ["idle", "resume after a while"]);
    assert.equal(frame.y[0], 3, "the frame read after the resume");
    assert.equal(gate.pauses, 1);
    assert.ok(gate.idleMs >= 90);
    // With a reader, reads go straight through.
    assert.equal(await gate.read(frame, timing), true);
    assert.equal(source.log.at(-1), "read 4");
    await gate.close();
    assert.equal(source.log.at(-1), "close");
  });
});

Deno.test("ReaderGate ends an idle wait with false when its signal aborts", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path);
    const source = new FakeSource();
    const controller = new AbortController();
    const gate = new ReaderGate(source, watch, { idleAfterMs: 0, signal: controller.signal });
    const frame = makeFrame(gate.size, "444");
    const reading = gate.read(frame, new FrameTiming());
    await settle();
    controller.abort();
    assert.equal(await reading, false);
    assert.deepEqual(source.log, ["pause"]);
    assert.equal(frame.y[0], 0, "nothing read");
  });
});

Deno.test("ReaderGate passes a live frame-rate change on to a source that paces itself", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path);
    const file = new ReaderGate(new FakeSource(), watch, { idleAfterMs: 1000 });
    assert.equal(file.setMaxFps, undefined, "nothing to pass on to a source without a pace");
    const asked: (number | null)[] = [];
    const camera = Object.assign(new FakeSource(), {
      setMaxFps: (fps: number | null) => void asked.push(fps),
    });
    const gate = new ReaderGate(camera, watch, { idleAfterMs: 1000 });
    gate.setMaxFps!(15);
    gate.setMaxFps!(null);
    assert.deepEqual(asked, [15, null]);
  });
});

Deno.test("ReaderGate.hold() resumes a paused source at once and keeps it running until released", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path);
    const source = new FakeSource();
    const gate = new ReaderGate(source, watch, { idleAfterMs: 0 });
    const frame = makeFrame(gate.size, "444");
    const reading = gate.read(frame, new FrameTiming());
    await settle();
    assert.equal(gate.paused, true);
    assert.deepEqual(source.log, ["pause"]);
    // The control panel's preview opens: no reader of the node, yet the source resumes.
    const release = gate.hold();
    assert.equal(await reading, true);
    assert.equal(gate.paused, false);
    assert.deepEqual(source.log, ["pause", "resume", "read 1"]);
    assert.equal(await gate.read(frame, new FrameTiming()), true);
    assert.equal(source.log.at(-1), "read 2", "held: no pause without readers");
    release();
    release(); // idempotent
    const next = gate.read(frame, new FrameTiming());
    await settle();
    assert.equal(source.log.at(-1), "pause", "released: paused again");
    using _reader = await Deno.open(path);
    assert.equal(await next, true);
  });
});

Deno.test("ReaderWatch: a reader from before the watch closing never cancels a new reader", async () => {
  await withTempFile(async (path) => {
    // A program had the node open before backscrub started (two handles, as a browser may).
    await using before = new Holder(path);
    await before.expect("open");
    await using watch = ReaderWatch.open(path, { recheckMs: 20 });
    assert.ok(watch.readers >= 1);
    // A new reader comes, then the old one closes both its handles and exits.
    await using after = new Holder(path);
    await after.expect("open");
    await settle();
    await before.next();
    await before.expect("one");
    await before.next();
    await before[Symbol.asyncDispose]();
    await settle();
    assert.ok(watch.readers >= 1, `the new reader still counts: ${watch.readers}`);
    assert.equal(watch.unreadSince, null);
    await after.next();
    await after.next();
    assert.equal(await watch.waitForNoReaders(AbortSignal.timeout(3000)), true);
  });
});

/**
 * A fake `/proc` that says which handles of `path` this process holds (as `countHandles` reads
 * it), plus one other process holding nothing, so that a lookup sees every process.
 */
class FakeProc {
  readonly root = Deno.makeTempDirSync({ prefix: "fake-proc-" });
  readonly #path: string;
  #next = 3;

  constructor(path: string) {
    this.#path = path;
    Deno.mkdirSync(`${this.root}/1/fd`, { recursive: true });
    Deno.mkdirSync(`${this.root}/${Deno.pid}/fd`, { recursive: true });
  }

  /** Shows a handle of the path held by `pid` (this process by default); returns its fd. */
  hold(pid = Deno.pid): number {
    const fd = this.#next++;
    Deno.mkdirSync(`${this.root}/${pid}/fd`, { recursive: true });
    Deno.symlinkSync(this.#path, `${this.root}/${pid}/fd/${fd}`);
    return fd;
  }

  /** Shows the handle `fd` of `pid` closed. */
  drop(fd: number, pid = Deno.pid): void {
    Deno.removeSync(`${this.root}/${pid}/fd/${fd}`);
  }

  /** Makes one process unreadable, as other users' processes are to a user. */
  hideOne(): void {
    Deno.mkdirSync(`${this.root}/4000`);
    Deno.writeTextFileSync(`${this.root}/4000/fd`, "");
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.root, { recursive: true });
  }
}

Deno.test("ReaderWatch: two closes merged into one event are recounted from /proc, back to 0", async () => {
  await withTempFile(async (path) => {
    using proc = new FakeProc(path);
    await using watch = ReaderWatch.open(path, { procRoot: proc.root, recheckMs: 50 });
    for (let round = 0; round < 3; round++) {
      // Two programs listing cameras: their opens read one at a time (two events)...
      const a = Deno.openSync(path);
      const fa = proc.hold();
      await until(() => watch.readers === 1, "1 reader");
      const b = Deno.openSync(path);
      const fb = proc.hold();
      await until(() => watch.readers === 2, "2 readers");
      // ...their closes at the same moment: nothing reads the queue between the two (this
      // thread runs on), so the kernel merges the second IN_CLOSE_NOWRITE into the first.
      proc.drop(fa);
      proc.drop(fb);
      a.close();
      b.close();
      await settle();
      assert.equal(await watch.waitForNoReaders(AbortSignal.timeout(2000)), true, `round ${round}`);
      assert.ok(watch.unreadSince !== null);
    }
  });
});

Deno.test("ReaderWatch: a count above what /proc shows is kept when /proc cannot see every process", async () => {
  await withTempFile(async (path) => {
    // What a merged close looks like to the watch: events say 1, /proc shows none. /proc is
    // made to say so here (the handles stay open), once able to see every process, once not.
    for (const hidden of [false, true]) {
      using proc = new FakeProc(path);
      if (hidden) proc.hideOne();
      await using watch = ReaderWatch.open(path, { procRoot: proc.root, recheckMs: 50 });
      using a = Deno.openSync(path);
      await until(() => watch.readers === 1, "1 reader");
      const b = Deno.openSync(path);
      await until(() => watch.readers === 2, "2 readers");
      b.close();
      await until(() => watch.readers <= 1, "the close");
      await new Promise((r) => setTimeout(r, 300));
      // Seeing every process, /proc is right: nobody holds it. Not seeing some, the reader the
      // count stands for may be one of them (another user's program): when in doubt, awake.
      assert.equal(watch.readers, hidden ? 1 : 0, hidden ? "kept" : "recounted");
      void a;
    }
  });
});

Deno.test("ReaderWatch: the recount keeps the handles /proc shows, other programs' and this one's new ones", async () => {
  await withTempFile(async (path) => {
    using proc = new FakeProc(path);
    proc.hold(); // this process's own handle from before the watch (backscrub's): not a reader
    await using watch = ReaderWatch.open(path, { procRoot: proc.root, recheckMs: 50 });
    // Another program's handle, and one this process opened after the start: both shown.
    using _a = Deno.openSync(path);
    proc.hold(4242);
    await until(() => watch.readers === 1, "1 reader");
    using _b = Deno.openSync(path);
    proc.hold();
    await until(() => watch.readers === 2, "2 readers");
    // Two more, closed at the same moment: one merged close, the count one too high.
    const c = Deno.openSync(path);
    await until(() => watch.readers === 3, "3 readers");
    const d = Deno.openSync(path);
    await until(() => watch.readers === 4, "4 readers");
    c.close();
    d.close();
    await until(() => watch.readers < 4, "the close");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(watch.readers, 2, "the other program's handle and this one's new one");
  });
});

Deno.test("ReaderWatch: merged closes with the real /proc — recounted as root, kept as another user", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path, { recheckMs: 50 });
    const a = Deno.openSync(path);
    await until(() => watch.readers === 1, "1 reader");
    const b = Deno.openSync(path);
    await until(() => watch.readers === 2, "2 readers");
    a.close();
    b.close(); // merged with a's close (see above)
    await new Promise((r) => setTimeout(r, 300));
    // As root /proc shows every process: the merged close is found out. As a user some
    // processes cannot be read: the count is kept (this process's handles stand for a reader).
    const complete = countHandles(path).complete;
    assert.equal(watch.readers, complete ? 0 : 1, `/proc sees every process: ${complete}`);
  });
});

Deno.test("ReaderWatch: a program opening and closing again and again costs one /proc lookup, not one per close", async () => {
  await withTempFile(async (path) => {
    await using watch = ReaderWatch.open(path, { recheckMs: 1000 });
    assert.equal(watch.lookups, 1, "at the start");
    for (let i = 0; i < 30; i++) {
      const f = Deno.openSync(path);
      await until(() => watch.readers === 1, "the open");
      f.close();
      await until(() => watch.readers === 0, "the close");
    }
    assert.equal(watch.lookups, 1, "none while the closes keep coming");
    await until(() => watch.lookups === 2, "one lookup once all is quiet");
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(watch.lookups, 2);
  });
});
