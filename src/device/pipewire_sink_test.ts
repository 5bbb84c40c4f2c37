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
 * Commits frame after frame (each made by `fill`) until `reader` exits; returns every frame that
 * went out to a reader.
 */
async function feed(
  sink: PipewireSink,
  reader: Deno.ChildProcess,
  fill: (yuyv: Uint8Array, n: number) => void,
): Promise<{ sent: Uint8Array[]; convert: number; code: number; stderr: string }> {
  let done = false;
  const out = reader.output().finally(() => done = true);
  const sent: Uint8Array[] = [];
  const timing = new FrameTiming();
  let convert = NaN;
  const end = performance.now() + 20_000;
  let n = 0;
  while (!done && performance.now() < end) {
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
  if (!done) reader.kill("SIGKILL");
  const o = await out;
  return { sent, convert, code: o.code, stderr: new TextDecoder().decode(o.stderr) };
}

/** Finds `frames` consecutive sent frames equal to what the reader wrote to `file`. */
async function assertReceived(
  file: string,
  sent: readonly Uint8Array[],
  frames: number,
  convert: (yuyv: Uint8Array) => Uint8Array = (f) => f,
): Promise<void> {
  const got = await Deno.readFile(file);
  const expected = sent.map(convert);
  const size = expected[0]!.length;
  assert.equal(got.length, frames * size, "the reader got whole frames");
  // A reader may join after the first frames went out: find its first one.
  const first = expected.findIndex((e) => e.every((b, i) => b === got[i]));
  assert.ok(first >= 0, "the first frame received is one that was sent");
  for (let i = 0; i < frames; i++) {
    assert.ok(
      expected[first + i]!.every((b, j) => b === got[i * size + j]),
      `frame ${i} is byte for byte the frame sent`,
    );
  }
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
      const first = gst(session, node, "YUY2", 8, a);
      assert.ok(await sink.waitForReader(AbortSignal.timeout(10_000)));
      const second = gst(session, node, "YUY2", 4, b);
      const both = Promise.all([first.status, second.status]);
      const fed = feed(sink, first, gcPattern);
      const [{ sent, code }] = await Promise.all([fed, both]);
      assert.equal(code, 0);
      assert.equal((await second.status).code, 0);
      await assertReceived(a, sent, 8);
      await assertReceived(b, sent, 4);
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
    assert.equal((await reader.output()).code, 0);
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
    // Frame numbers follow each other from the first one received.
    const expected = new Uint8Array(size);
    let n = -1;
    for (let k = 0; k < 1000 && n < 0; k++) {
      gcPattern(expected, k);
      if (expected.every((b, i) => b === got[i])) n = k;
    }
    assert.ok(n >= 0, "the first frame is one the source sent");
    for (let i = 0; i < frames; i++, n++) {
      gcPattern(expected, n);
      assert.ok(expected.every((b, j) => b === got[i * size + j]), `frame ${i} is frame ${n}`);
    }
  },
});
