import assert from "node:assert/strict";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { FrameTiming, makeFrame } from "../frame/mod.ts";
import { FakeCamera } from "../../tests/fakes/fake_camera.ts";
import { CameraSource } from "./camera_source.ts";
import type { Negotiated } from "./capture.ts";
import type { DecodeWarningKind } from "./decode.ts";
import { DeviceError } from "./errors.ts";
import {
  type CameraChange,
  ResilientSource,
  type ResilientSourceOptions,
} from "./resilient_source.ts";
import { WarningLimit } from "./warning_limit.ts";

const W = 16;
const H = 8;
/** The fake camera's rate: 50 fps, one frame every 20 ms. */
const FPS = 50;
/** The longest a read may take while the camera is away: its 20 ms tick, plus a loaded host's slack. */
const GAP_LIMIT_MS = 150;

function negotiated(width = W): Negotiated {
  return {
    width,
    height: H,
    fourcc: "YUYV",
    pixelformat: PIX_FMT.YUYV,
    fps: FPS,
    bytesperline: width * 2,
    sizeimage: width * H * 2,
    colorimetry: { colorspace: 1, ycbcrEnc: 1, quantization: 2, xferFunc: 0 },
  };
}

/** A YUYV frame numbered in its first luma byte (16 + n, limited range). */
function numbered(n: number, width = W): Uint8Array {
  const f = new Uint8Array(width * H * 2).fill(128);
  f[0] = 16 + (n % 200);
  return f;
}

/** The number a frame carried, from the full-range luma the source gives. */
function numberOf(y0: number): number {
  return Math.round((y0 * 219) / 255);
}

interface Cam {
  camera: FakeCamera;
  feed: CameraSource;
}

/** A started fake camera at `path` whose frame n is numbered `base + n`, while `live()` says so. */
function cam(path: string, base = 0, live: () => boolean = () => true, width = W): Cam {
  const camera = new FakeCamera(
    negotiated(width),
    (n) => live() ? numbered(base + n, width) : null,
    1000 / FPS,
    { path },
  );
  return { camera, feed: CameraSource.wrap(camera, {}) };
}

function gone(path: string): DeviceError {
  return new DeviceError(
    "not-found",
    `Cannot find the camera "fake" (${path}): it is not connected`,
    {
      path,
      purpose: "camera",
    },
  );
}

function busy(path: string): DeviceError {
  return new DeviceError("busy", `Cannot start "${path}": device busy, in use by cheese (pid 42)`, {
    path,
    purpose: "camera",
  });
}

/** Fast timings for the tests: the notice after 150 ms, a look every 30 ms. */
const FAST = {
  noticeAfterMs: 150,
  repeatAfterMs: 40,
  retryMs: 30,
  stallLimitMs: 5000,
} satisfies Partial<ResilientSourceOptions>;

/** Reads for `ms`, checking that every read returns within the gap limit; the standby flags. */
async function readFor(
  source: ResilientSource,
  ms: number,
  each: (standby: boolean, at: number) => void = () => {},
): Promise<{ reads: number; worstGap: number }> {
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  const t0 = performance.now();
  let reads = 0, worstGap = 0;
  while (performance.now() - t0 < ms) {
    const r0 = performance.now();
    assert.equal(await source.read(frame, timing), true);
    worstGap = Math.max(worstGap, performance.now() - r0);
    reads++;
    each(source.standby, performance.now() - t0);
  }
  return { reads, worstGap };
}

/** Reads until the source streams again; returns the frame's number and how long it took. */
async function readUntilBack(source: ResilientSource): Promise<{ n: number; ms: number }> {
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    await source.read(frame, timing);
    if (source.state === "streaming" && !source.standby) {
      return { n: numberOf(frame.y[0]!), ms: performance.now() - t0 };
    }
  }
  throw new Error(`Not back after 200 reads: ${source.state}`);
}

Deno.test("ResilientSource: a lost camera gives the last frame, then the notice, at its rate, and is used again under its new node", async () => {
  const a = cam("/dev/video0");
  const b = cam("/dev/video3", 100);
  let back = false;
  let attempts = 0;
  const changes: CameraChange[] = [];
  const source = new ResilientSource(a.feed, {
    ...FAST,
    reopen: () => {
      attempts++;
      if (!back) throw gone("/dev/video0");
      return b.feed;
    },
    onChange: (c) => changes.push(c),
  });
  source.setMaxFps(40);
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  assert.equal(await source.read(frame, timing), true);
  assert.equal(await source.read(frame, timing), true);
  const last = numberOf(frame.y[0]!);
  assert.deepEqual([source.state, source.standby, changes.length], ["streaming", false, 0]);

  a.camera.failure = new DeviceError(
    "disconnected",
    'Cannot capture from "/dev/video0": the device stopped answering (ENODEV)',
    { path: "/dev/video0", purpose: "camera" },
  );
  let firstStandby = Infinity;
  const away = await readFor(source, 450, (standby, at) => {
    if (standby) firstStandby = Math.min(firstStandby, at);
  });
  assert.equal(numberOf(frame.y[0]!), last, "the caller's frame keeps the last picture");
  assert.equal(source.state, "lost");
  assert.deepEqual(changes.map((c) => [c.state, c.previous, c.error?.kind]), [
    ["lost", "streaming", "disconnected"],
  ]);
  assert.equal(source.error?.kind, "not-found", "the latest failure: it is not there");
  assert.ok(a.camera.log.includes("close"), "the failed camera is closed");
  assert.ok(firstStandby >= 100 && firstStandby < 350, `notice from ${firstStandby} ms`);
  assert.ok(away.worstGap < GAP_LIMIT_MS, `a read took ${away.worstGap.toFixed(0)} ms`);
  assert.ok(away.reads >= 8, `${away.reads} reads in 450 ms (1 per 25 ms at --fps 40)`);
  assert.ok(attempts >= 5 && attempts <= 20, `${attempts} looks in 450 ms, one per 30 ms at most`);

  back = true;
  const { n, ms } = await readUntilBack(source);
  assert.ok(n >= 100, `frame ${n} is the new camera's`);
  assert.ok(ms < 200, `back ${ms.toFixed(0)} ms after it returned`);
  assert.equal(source.path, "/dev/video3");
  assert.equal(b.feed.maxFps, 40, "the frame-rate limit holds for the camera found again");
  assert.deepEqual(changes.map((c) => c.state), ["lost", "streaming"]);
  assert.equal(changes[1]!.path, "/dev/video3");
  assert.ok(changes[1]!.awayMs! >= 450, `away ${changes[1]!.awayMs} ms`);
  assert.deepEqual([source.outages, source.reopened, source.error], [1, 1, null]);
  await source.close();
  assert.ok(b.camera.log.includes("close"));
  assert.equal(await source.read(frame, timing), false, "closed: the end");
});

Deno.test("ResilientSource: a silent camera is repeated at its rate, shows the notice, is reopened at the stall limit and comes back", async () => {
  let live = true;
  const a = cam("/dev/video0", 0, () => live);
  const opened: Cam[] = [];
  const changes: CameraChange[] = [];
  const source = new ResilientSource(a.feed, {
    ...FAST,
    stallLimitMs: 300,
    reopen: () => {
      const c = cam("/dev/video0", 50, () => live);
      opened.push(c);
      return c.feed;
    },
    onChange: (c) => changes.push(c),
  });
  await readFor(source, 60);
  live = false;
  let firstStandby = Infinity;
  const silent = await readFor(source, 700, (standby, at) => {
    if (standby) firstStandby = Math.min(firstStandby, at);
  });
  assert.equal(source.state, "silent");
  assert.deepEqual(changes.map((c) => [c.state, c.error?.kind]), [["silent", "timeout"]]);
  assert.match(changes[0]!.error!.message, /^No frame from "\/dev\/video0" for 0\.\d s$/);
  assert.ok(firstStandby >= 100 && firstStandby < 350, `notice from ${firstStandby} ms`);
  assert.ok(silent.worstGap < GAP_LIMIT_MS, `a read took ${silent.worstGap.toFixed(0)} ms`);
  assert.ok(silent.reads >= 14, `${silent.reads} reads in 700 ms at 50 fps`);
  assert.ok(source.restarts >= 1 && source.restarts <= 3, `${source.restarts} restarts`);
  assert.equal(opened.length, source.reopened);
  assert.ok(a.camera.log.includes("close"), "the silent camera was closed");

  live = true;
  const { n } = await readUntilBack(source);
  assert.ok(n >= 50, `frame ${n} comes from the reopened camera`);
  assert.deepEqual(changes.map((c) => c.state), ["silent", "streaming"]);
  await source.close();
});

Deno.test("ResilientSource: a camera busy on resume gives the notice at once and is started again once it is free", async () => {
  const a = cam("/dev/video0");
  let reopened = 0;
  const changes: CameraChange[] = [];
  const source = new ResilientSource(a.feed, {
    ...FAST,
    reopen: () => {
      reopened++;
      return a.feed;
    },
    onChange: (c) => changes.push(c),
  });
  await readFor(source, 50);
  source.pause();
  assert.deepEqual(a.camera.log, ["start", "stop"]);
  a.camera.startFailure = busy("/dev/video0");
  source.resume(); // never throws a camera problem
  assert.equal(source.state, "busy");
  assert.match(source.error!.message, /in use by cheese/);
  const standby: boolean[] = [];
  const held = await readFor(source, 250, (s) => standby.push(s));
  assert.ok(
    standby.every((s) => s),
    "nothing from before the pause: the notice from the first read",
  );
  assert.ok(held.worstGap < GAP_LIMIT_MS, `a read took ${held.worstGap.toFixed(0)} ms`);
  assert.equal(source.state, "busy");

  a.camera.startFailure = null;
  const { ms } = await readUntilBack(source);
  assert.ok(ms < 200, `back after ${ms.toFixed(0)} ms`);
  assert.deepEqual(a.camera.log, ["start", "stop", "start"], "kept open: only started again");
  assert.equal(reopened, 0);
  assert.deepEqual(changes.map((c) => [c.state, c.error?.kind ?? null]), [
    ["busy", "busy"],
    ["streaming", null],
  ]);
  await source.close();
});

Deno.test("ResilientSource: after a resume the first read waits for a new frame; nothing from before the pause comes again", async () => {
  const a = cam("/dev/video0");
  const source = new ResilientSource(a.feed, { ...FAST, reopen: () => a.feed });
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  await source.read(frame, timing);
  source.pause();
  frame.y[0] = 0;
  source.resume();
  await source.read(frame, timing);
  assert.deepEqual([source.state, source.standby, source.repeated], ["streaming", false, 0]);
  assert.equal(numberOf(frame.y[0]!), 0, "the restarted camera's first frame");
  assert.deepEqual(a.camera.log, ["start", "stop", "start"]);
  await source.close();
});

Deno.test("ResilientSource: a camera that comes back at another size is not used; a bug is not a camera problem", async () => {
  const a = cam("/dev/video0");
  const wrong = cam("/dev/video0", 0, () => true, 32);
  let tries = 0;
  const source = new ResilientSource(a.feed, {
    ...FAST,
    reopen: () => ++tries === 1 ? wrong.feed : cam("/dev/video0", 70).feed,
  });
  await readFor(source, 30);
  a.camera.failure = new DeviceError("io", "Cannot capture: EIO", { purpose: "camera" });
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  // The failed camera is closed in one read, the next one opens it again.
  await source.read(frame, timing);
  assert.deepEqual([source.state, source.error?.kind, tries], ["lost", "io", 0]);
  await source.read(frame, timing);
  assert.equal(tries, 1);
  assert.equal(source.error?.kind, "format");
  assert.match(source.error!.message, /gives 32x8, not the 16x8 backscrub started with/);
  assert.ok(wrong.camera.log.includes("close"), "the camera of the wrong size is closed");
  const { n } = await readUntilBack(source);
  assert.ok(n >= 70);

  const bug = cam("/dev/video0");
  const failing = new ResilientSource(bug.feed, { ...FAST, reopen: () => bug.feed });
  bug.camera.failure = new TypeError("not a camera problem");
  await assert.rejects(failing.read(frame, timing), TypeError);
  await failing.close();
  await source.close();
});

Deno.test("ResilientSource: a frame that comes just after a repeat waits half an interval, so the output stays even", async () => {
  let live = true;
  const a = cam("/dev/video0", 0, () => live);
  const source = new ResilientSource(a.feed, { ...FAST, reopen: () => a.feed });
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  await source.read(frame, timing);
  live = false;
  let repeatedAt = 0;
  while (source.repeated === 0) {
    await source.read(frame, timing);
    repeatedAt = performance.now();
  }
  live = true; // the late frames are there at once
  await source.read(frame, timing);
  const gap = performance.now() - repeatedAt;
  assert.equal(source.repeated, 1, "a new frame, not another repeat");
  assert.ok(gap >= 1000 / FPS / 2 - 1, `${gap.toFixed(1)} ms after the repeat`);
  await source.close();
});

Deno.test("ResilientSource: a camera busy at start gives the notice from the first read and is started once it is free", async () => {
  // Opened (deferBusy) but not started: its start fails while another program streams from it.
  const camera = new FakeCamera(negotiated(), (n) => numbered(40 + n), 1000 / FPS, {
    path: "/dev/video0",
  });
  camera.startFailure = busy("/dev/video0");
  const feed = CameraSource.wrap(camera, { start: false });
  let reopened = 0;
  const changes: CameraChange[] = [];
  const source = new ResilientSource(feed, {
    ...FAST,
    busy: busy("/dev/video0"),
    reopen: () => {
      reopened++;
      return feed;
    },
    onChange: (c) => changes.push(c),
  });
  // Reported at once: the log says why the virtual camera shows the notice.
  assert.deepEqual([source.state, source.error?.kind, source.path], [
    "busy",
    "busy",
    "/dev/video0",
  ]);
  assert.deepEqual(changes.map((c) => [c.previous, c.state]), [["streaming", "busy"]]);
  const standby: boolean[] = [];
  const held = await readFor(source, 250, (s) => standby.push(s));
  assert.ok(standby.every((s) => s), "the notice from the first read");
  assert.ok(held.worstGap < GAP_LIMIT_MS, `a read took ${held.worstGap.toFixed(0)} ms`);
  assert.ok(held.reads >= 5, `${held.reads} reads in 250 ms: at the camera's rate`);
  assert.equal(source.state, "busy");
  assert.deepEqual(camera.log, [], "never started while busy (every 30 ms tried)");

  camera.startFailure = null;
  const { n, ms } = await readUntilBack(source);
  assert.ok(n >= 40, "the camera's own frames");
  assert.ok(ms < 200, `back after ${ms.toFixed(0)} ms`);
  assert.deepEqual(changes.map((c) => c.state), ["busy", "streaming"]);
  assert.deepEqual(camera.log, ["start"], "kept open: only started");
  assert.equal(reopened, 0);
  await source.close();
});

Deno.test("ResilientSource says the cameras' frame warnings through its WarningLimit, summed up on reads", async () => {
  let now = 0;
  const lines: string[] = [];
  const limit = new WarningLimit<DecodeWarningKind>((l) => lines.push(l), {
    intervalMs: 1000,
    now: () => now,
  });
  // Every other frame is cut short (another format's size): skipped and counted.
  const camera = new FakeCamera(
    negotiated(),
    (i) => i % 2 === 1 ? new Uint8Array(10) : numbered(i),
    1000 / FPS,
    { path: "/dev/video0" },
  );
  const feed = CameraSource.wrap(camera, { onWarning: (m, kind) => limit.warn(m, kind) });
  const source = new ResilientSource(feed, { ...FAST, reopen: () => feed, warnings: limit });
  const frame = makeFrame(source.size, "422");
  const timing = new FrameTiming();
  for (let i = 0; i < 10; i++) await source.read(frame, timing);
  const skipped = source.decodeStats.skipped;
  assert.ok(skipped >= 9, `${skipped} skipped`);
  assert.deepEqual(lines, [
    "Skipped a corrupt YUYV frame: 10 bytes, a 16x8 YUYV frame has 256 (the camera's format changed?)",
  ]);
  const held = limit.held;
  assert.equal(held, skipped - 1, "every other skip held back");
  now = 1000; // the interval is over: the next read says what was held back (first thing)
  await source.read(frame, timing);
  assert.equal(lines.length, 2);
  assert.equal(
    lines[1],
    `${lines[0]} (${held} like this in the last 1 s)`,
    "the latest warning, with the count",
  );
  await source.close();
});
