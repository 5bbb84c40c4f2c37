/**
 * {@linkcode PipewireSink} against a real PipeWire daemon in a private session
 * (`tests/_pipewire.ts`), read by GStreamer's `pipewiresrc` (always with a caps filter: without
 * one it waits forever; and into an unbuffered `filesink`, which otherwise holds the buffers): frames byte for byte in YUY2, I420 and NV12, two readers at once,
 * readers that come and go pausing and resuming a camera through `ReaderGate`, a daemon restart,
 * and a forced garbage collection before every frame (in a program of its own).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type PipewireSession, skipWithoutPipewire } from "../../tests/_pipewire.ts";
import { PipewireSession as Session } from "../../tests/_pipewire.ts";
import { gcPattern } from "../../tests/fixtures/pipewire_gc_source.ts";
import { type Frame, FrameTiming, makeFrame } from "../frame/mod.ts";
import { yuyvTo420 } from "../image/yuv.ts";
import { pipewireNames, PipewireSink } from "./pipewire_sink.ts";
import { type PausableSource, ReaderGate } from "./readers.ts";

const ignore = skipWithoutPipewire("src/device/pipewire_sink_test");
const WIDTH = 64;
const HEIGHT = 48;
const FIXTURE = new URL("../../tests/fixtures/pipewire_gc_source.ts", import.meta.url).pathname;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `pipewiresrc` reading `frames` frames of the camera `node` in `format` into `file`. */
function gst(
  session: PipewireSession,
  node: string,
  format: string,
  frames: number,
  file: string,
): Deno.ChildProcess {
  return session.spawn("gst-launch-1.0", [
    "-q",
    "pipewiresrc",
    `target-object=${node}`,
    `num-buffers=${frames}`,
    "!",
    `video/x-raw,format=${format}`,
    "!",
    // Unbuffered: filesink otherwise keeps up to 64 KiB of buffers, and the camera has only 8.
    "filesink",
    "buffer-mode=unbuffered",
    `location=${file}`,
  ]);
}

/**
 * Commits frame after frame (each made by `fill`) until every reader has exited (those still
 * running after 30 s are killed); returns every frame that went out, the first reader's exit
 * status, every reader's (`all`) and what they printed on stderr.
 */
async function feed(
  sink: PipewireSink,
  readers: Deno.ChildProcess | Deno.ChildProcess[],
  fill: (yuyv: Uint8Array, n: number) => void,
): Promise<{ sent: Uint8Array[]; convert: number; code: number; stderr: string; all: number[] }> {
  const list = Array.isArray(readers) ? readers : [readers];
  let running = list.length;
  const outs = list.map((r) => r.output().finally(() => running--));
  const sent: Uint8Array[] = [];
  const timing = new FrameTiming();
  let convert = NaN;
  const end = performance.now() + 30_000;
  let n = 0;
  while (running > 0 && performance.now() < end) {
    fill(sink.yuyv, n++);
    const before = sink.frames;
    timing.reset();
    await sink.commit(timing);
    if (sink.frames > before) {
      sent.push(sink.yuyv.slice());
      convert = timing.convert;
    }
    await new Promise((r) => setTimeout(r, 1000 / 60));
  }
  for (const r of list) {
    try {
      r.kill("SIGKILL");
    } catch {
      // exited
    }
  }
  const results = await Promise.all(outs);
  return {
    sent,
    convert,
    code: results[0]!.code,
    stderr: results.map((o) => new TextDecoder().decode(o.stderr)).join(""),
    all: results.map((o) => o.code),
  };
}

/**
 * Checks that every frame the reader wrote to `file` is, byte for byte, a frame that was sent, in
 * the order sent. A live camera may skip a frame when the graph is still busy with the last one
 * (this machine's other work can hold the reader up), so gaps are allowed; repeats are not.
 *
 * @returns the index in `sent` of the first and the last frame the reader got
 */
async function assertReceived(
  file: string,
  sent: readonly Uint8Array[],
  frames: number,
  convert: (yuyv: Uint8Array) => Uint8Array = (f) => f,
): Promise<{ first: number; last: number }> {
  const got = await Deno.readFile(file);
  const expected = sent.map(convert);
  const size = expected[0]!.length;
  assert.equal(got.length, frames * size, "the reader got whole frames");
  const at: number[] = [];
  for (let i = 0; i < frames; i++) {
    const frame = got.subarray(i * size, (i + 1) * size);
    const from = (at.at(-1) ?? -1) + 1;
    const k = expected.findIndex((e, n) => n >= from && e.every((b, j) => b === frame[j]));
    assert.ok(k >= 0, `frame ${i} is byte for byte a frame sent after frame ${from - 1}`);
    at.push(k);
  }
  return { first: at[0]!, last: at.at(-1)! };
}

Deno.test("pipewireNames() makes node.name from what people see", () => {
  assert.deepEqual(pipewireNames("pipewire"), { name: "backscrub", description: "backscrub" });
  assert.deepEqual(pipewireNames("pipewire:Studio Cam"), {
    name: "backscrub.Studio_Cam",
    description: "Studio Cam",
  });
  assert.deepEqual(pipewireNames("pipewire:!!"), { name: "backscrub.camera", description: "!!" });
});

Deno.test({
  name: "PipewireSink: a reader gets the frames committed, byte for byte, in YUY2, I420 and NV12",
  ignore,
  async fn(t) {
    await using session = await Session.start();
    Deno.env.set("PIPEWIRE_RUNTIME_DIR", session.runtimeDir);
    await using sink = await PipewireSink.open("pipewire:sink test", {
      width: WIDTH,
      height: HEIGHT,
      fps: 30,
    });
    const node = sink.nodeName;
    assert.match(
      sink.description,
      /^pipewire "sink test" \(node \d+\): 64x48 YUY2, I420 or NV12, 30 fps$/,
    );
    assert.equal(sink.readers, 0);
    assert.notEqual(sink.unreadSince, null);

    await t.step("nothing goes out while nobody reads", async () => {
      sink.yuyv.fill(1);
      await sink.commit(new FrameTiming());
      assert.equal(sink.frames, 0);
    });

    await t.step(
      "YUY2: as written; the reader counts, and stops counting when it leaves",
      async () => {
        const file = join(session.dir, "yuy2.raw");
        const reader = gst(session, node, "YUY2", 6, file);
        assert.ok(await sink.waitForReader(AbortSignal.timeout(10_000)));
        assert.equal(sink.readers, 1);
        assert.equal(sink.unreadSince, null);
        const { sent, code, stderr, convert } = await feed(sink, reader, gcPattern);
        assert.equal(code, 0, stderr);
        assert.ok(Number.isNaN(convert), "YUY2 is sent as it is");
        await assertReceived(file, sent, 6);
        await until(() => sink.readers === 0, "the reader to leave");
        assert.notEqual(sink.unreadSince, null);
      },
    );

    for (const format of ["I420", "NV12"] as const) {
      await t.step(`${format}: the frame repacked in one pass, timed as convert`, async () => {
        const file = join(session.dir, `${format}.raw`);
        const reader = gst(session, node, format, 4, file);
        assert.ok(await sink.waitForReader(AbortSignal.timeout(10_000)));
        const { sent, code, stderr, convert } = await feed(sink, reader, gcPattern);
        assert.equal(code, 0, stderr);
        assert.equal(sink.format, format);
        assert.ok(convert >= 0, "the repack is timed");
        await assertReceived(file, sent, 4, (yuyv) => {
          const out = new Uint8Array(WIDTH * HEIGHT * 3 / 2);
          yuyvTo420(yuyv, out, format === "I420" ? "i420" : "nv12", sink.size);
          return out;
        });
        await until(() => sink.readers === 0, "the reader to leave");
      });
    }

    await t.step("two readers at once get the same frames", async () => {
      const a = join(session.dir, "a.raw");
      const b = join(session.dir, "b.raw");
      // The first reads long enough that the second joins while it reads.
      const first = gst(session, node, "YUY2", 40, a);
      assert.ok(await sink.waitForReader(AbortSignal.timeout(10_000)));
      const second = gst(session, node, "YUY2", 4, b);
      const { sent, all, stderr } = await feed(sink, [first, second], gcPattern);
      assert.deepEqual(all, [0, 0], stderr);
      const gotA = await assertReceived(a, sent, 40);
      const gotB = await assertReceived(b, sent, 4);
      assert.ok(gotB.last <= gotA.last, "the second read while the first did");
      await until(() => sink.readers === 0, "the readers to leave");
    });

    await t.step("the daemon restarts: the camera is published again and read again", async () => {
      const lines: string[] = [];
      // A sink of its own, to see its log lines.
      await using again = await PipewireSink.open("pipewire:restart test", {
        width: WIDTH,
        height: HEIGHT,
        log: (l) => lines.push(l),
      });
      await session.restart();
      await until(() => lines.some((l) => /PipeWire is back/.test(l)), "the reconnection");
      assert.match(lines[0]!, /^backscrub: PipeWire went away \(.+\): reconnecting every second$/);
      assert.match(
        lines[1]!,
        /^backscrub: PipeWire is back: the camera "restart test" is published again \(away \d+\.\d s\)$/,
      );
      assert.equal(again.reconnects, 1);
      await until(() => again.nodeId !== null, "the node");
      const file = join(session.dir, "again.raw");
      const reader = gst(session, again.nodeName, "YUY2", 3, file);
      assert.ok(await again.waitForReader(AbortSignal.timeout(10_000)));
      const { sent, code, stderr } = await feed(again, reader, gcPattern);
      assert.equal(code, 0, stderr);
      await assertReceived(file, sent, 3);
    });
  },
});

/** A camera stand-in: frames on demand, pauses and resumes logged. */
class FakeCamera implements PausableSource {
  readonly size = { width: WIDTH, height: HEIGHT };
  readonly fps = 30;
  readonly description = "fake";
  readonly log: string[] = [];
  read(into: Frame): Promise<boolean> {
    into.y[0] = 1;
    return new Promise((r) => setTimeout(() => r(true), 10));
  }
  pause(): void {
    this.log.push("pause");
  }
  resume(): void {
    this.log.push("resume");
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test({
  name: "ReaderGate pauses the camera while nobody reads the PipeWire camera, resumes for a reader",
  ignore,
  async fn() {
    await using session = await Session.start();
    Deno.env.set("PIPEWIRE_RUNTIME_DIR", session.runtimeDir);
    await using sink = await PipewireSink.open("pipewire:idle test", {
      width: WIDTH,
      height: HEIGHT,
    });
    const camera = new FakeCamera();
    const stop = new AbortController();
    const gate = new ReaderGate(camera, sink, { idleAfterMs: 300, signal: stop.signal });
    const frame = makeFrame(camera.size, "422");
    const timing = new FrameTiming();
    const loop = (async () => {
      while (await gate.read(frame, timing)) await sink.commit(timing);
    })();
    await until(() => camera.log.length === 1, "the pause", 5000);
    assert.deepEqual(camera.log, ["pause"]);
    assert.ok(gate.paused);
    const reader = gst(session, sink.nodeName, "YUY2", 5, join(session.dir, "idle.raw"));
    await until(() => camera.log.length === 2, "the resume");
    assert.deepEqual(camera.log, ["pause", "resume"]);
    const timer = setTimeout(() => reader.kill("SIGKILL"), 30_000);
    assert.equal((await reader.output()).code, 0);
    clearTimeout(timer);
    assert.ok(sink.frames >= 5);
    // The reader is gone: paused again after 300 ms.
    await until(() => camera.log.length === 3, "the second pause", 5000);
    assert.deepEqual(camera.log, ["pause", "resume", "pause"]);
    stop.abort();
    await loop;
  },
});

Deno.test({
  name: "PipewireSink: frames stay byte-exact with a full garbage collection before every frame",
  ignore,
  async fn() {
    await using session = await Session.start();
    const source = session.spawn(Deno.execPath(), [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      FIXTURE,
      String(WIDTH),
      String(HEIGHT),
      "gc test",
    ]);
    const lines = source.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const ready = await lines.read();
    assert.match(ready.value ?? "", /^ready \d+/);
    const file = join(session.dir, "gc.raw");
    const frames = 30;
    const reader = gst(session, "backscrub.gc_test", "YUY2", frames, file);
    const timer = setTimeout(() => reader.kill("SIGKILL"), 30_000);
    const out = await reader.output();
    clearTimeout(timer);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    source.kill("SIGTERM");
    let rest = "";
    for (let r = await lines.read(); !r.done; r = await lines.read()) rest += r.value;
    const status = await source.status;
    assert.equal(status.code, 0, await new Response(source.stderr).text());
    assert.match(rest, /sent \d+/);
    const got = await Deno.readFile(file);
    const size = WIDTH * HEIGHT * 2;
    assert.equal(got.length, frames * size);
    // Every frame is one the source sent, whole and in order (a live camera may skip one when the
    // reader is held up: then the numbers jump).
    const expected = new Uint8Array(size);
    let n = 0;
    for (let i = 0; i < frames; i++) {
      const frame = got.subarray(i * size, (i + 1) * size);
      const from = n;
      for (; n < from + 1000; n++) {
        gcPattern(expected, n);
        if (expected.every((b, j) => b === frame[j])) break;
      }
      assert.ok(n < from + 1000, `frame ${i} is a frame the source sent after frame ${from - 1}`);
      n++;
    }
  },
});
