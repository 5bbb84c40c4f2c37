/**
 * The control panel's API on a real kernel: vivid → backscrub (a child process with
 * `--http 127.0.0.1:0`, its runtime file in a private XDG_RUNTIME_DIR) → v4l2loopback, read back
 * here while settings change through the API and `backscrub ctl`. Each change must show in the
 * frames read from the loopback device within a few frames of its answer, and stay.
 *
 * vivid shows its still "colour squares" (asymmetric left/right) at 320x180: no person, so a
 * colour background fills the whole frame, `off` passes the squares through, mirroring shows, and
 * privacy over `off` sends the privacy grey. One backscrub serves every step (a start costs 5-25 s
 * under emulation). Every read has a timeout: a loopback reader blocks once the writer stops.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { JpegDecoder } from "../../ffi/turbojpeg/mod.ts";
import { Camera, FrameDecoder } from "../../src/device/mod.ts";
import { PRIVACY_COLOUR } from "../../src/pipeline/settings.ts";
import { decodeToRgb } from "../fixtures/decode_rgb.ts";
import {
  Backscrub,
  CAPTURE,
  LOOPBACK,
  openLoopbackReader,
  PATTERN,
  ROOT,
  since,
  stillVivid,
  vmTest,
} from "./_vm.ts";

/** vivid's smallest webcam size, fast enough under emulation. */
const W = 320;
const H = 180;
const FPS = 30;
/**
 * backscrub's rate (`--fps`): enough frames for every check, and the CPU left over under
 * emulation starts `backscrub ctl` sooner.
 */
const RUN_FPS = 10;
/** Start to banner, banner to first frame: deno start (5-25 s under TCG), model load. */
const START_MS = 90_000;
/** Per-frame wait once frames flow. */
const FRAME_MS = 5_000;
/** SIGTERM to exit. */
const EXIT_MS = 20_000;
/** `backscrub ctl set ...`: a deno start under emulation beside the running backscrub. */
const CTL_MS = 60_000;
/**
 * Frames read after a change's answer before the change must show: the loopback's queued
 * buffers (v4l2loopback keeps max_buffers, 2 by default) and a frame in flight in backscrub.
 */
const CHANGE_FRAMES = 8;
/** Frames that must all show a change once it showed (it does not flicker back). */
const STAY_FRAMES = 3;

const PANEL = /^backscrub: panel {6}(http:\/\/127\.0\.0\.1:(\d+)\/)\?token=(\S+)$/m;
const SUMMARY = /^backscrub: (\d+) frames in ([\d.]+) s \(([\d.]+) fps\), (\d+) model runs(.*)$/m;
/** A line of stderr that is a stack frame or an uncaught error. */
const CRASH = /^\s+at .*(:\d+:\d+\)?|\(native\))$|^error: |Uncaught|panicked/m;

type Rgb = Uint8Array;
type Colour = [number, number, number];

function hex(colour: string): Colour {
  const n = parseInt(colour.slice(1), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
}

/** The share of pixels whose channels are all within `tolerance` of `colour`. */
function shareOf(img: Rgb, colour: Colour, tolerance = 3): number {
  let good = 0;
  for (let i = 0; i < img.length; i += 3) {
    if (
      Math.abs(img[i]! - colour[0]) <= tolerance &&
      Math.abs(img[i + 1]! - colour[1]) <= tolerance &&
      Math.abs(img[i + 2]! - colour[2]) <= tolerance
    ) good++;
  }
  return good / (img.length / 3);
}

/** Left-right mirror. */
function mirrored(img: Rgb): Rgb {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * 3;
      out.set(img.subarray(s, s + 3), (y * W + W - 1 - x) * 3);
    }
  }
  return out;
}

/**
 * The largest per-channel difference over the pixels where `expected` is flat (every pixel
 * within ±3 columns and ±1 row within 4 of it): 4:2:2 chroma blurs the squares' edges.
 */
function flatError(actual: Rgb, expected: Rgb): number {
  let max = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      let flat = true;
      for (let dy = -1; dy <= 1 && flat; dy++) {
        for (let dx = -3; dx <= 3 && flat; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
          const j = (yy * W + xx) * 3;
          for (let c = 0; c < 3; c++) {
            if (Math.abs(expected[i + c]! - expected[j + c]!) > 4) flat = false;
          }
        }
      }
      if (!flat) continue;
      for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(actual[i + c]! - expected[i + c]!));
    }
  }
  return max;
}

/** What vivid gives directly, as RGB (taken before backscrub holds the camera). */
function vividReference(): Rgb {
  using camera = Camera.open(CAPTURE, { width: W, height: H, format: "YUYV", fps: FPS });
  using decoder = new FrameDecoder(camera.negotiated);
  camera.start();
  let last: Uint8Array | null = null;
  for (let i = 0; i < 3; i++) {
    const f = camera.grab(FRAME_MS);
    assert.ok(f !== null, "vivid gives a frame");
    last = f.data.slice();
    camera.release(f);
  }
  camera.stop();
  const rgb = new Uint8Array(W * H * 3);
  assert.ok(decodeToRgb(decoder, last!, rgb) !== null, "vivid's frame decodes");
  return rgb;
}

/** The loopback read back as RGB frames. */
class Reader {
  frames = 0;
  constructor(readonly camera: Camera, readonly decoder: FrameDecoder) {}

  async next(timeoutMs = FRAME_MS): Promise<Rgb> {
    const f = await this.camera.grabAsync(timeoutMs);
    if (f === null) throw new Error(`No frame from ${LOOPBACK} within ${timeoutMs} ms`);
    const rgb = new Uint8Array(W * H * 3);
    try {
      assert.notEqual(decodeToRgb(this.decoder, f.data, rgb), null, "a loopback frame decodes");
    } finally {
      this.camera.release(f);
    }
    this.frames++;
    return rgb;
  }

  /**
   * Reads frames until `shows` holds (within {@linkcode CHANGE_FRAMES}), then
   * {@linkcode STAY_FRAMES} more that must all hold too.
   *
   * @returns how many frames it took (1: the first frame read showed it)
   */
  async until(what: string, shows: (img: Rgb) => string | null): Promise<number> {
    let why: string | null = "";
    let n = 0;
    while (why !== null) {
      if (++n > CHANGE_FRAMES) {
        throw new Error(`${what}: not seen within ${CHANGE_FRAMES} frames (last: ${why})`);
      }
      why = shows(await this.next());
    }
    for (let i = 0; i < STAY_FRAMES; i++) {
      const again = shows(await this.next());
      assert.equal(again, null, `${what}: frame ${n + i + 1} after the change went back`);
    }
    return n;
  }
}

/** A check for {@linkcode Reader.until}: the whole frame (99%) is `colour` within ±3. */
function whole(colour: string): (img: Rgb) => string | null {
  const c = hex(colour);
  return (img) => {
    const share = shareOf(img, c);
    return share >= 0.99 ? null : `${(share * 100).toFixed(1)}% ${colour}`;
  };
}

/**
 * A check for {@linkcode Reader.until}: the frame is `expected` within ±`tolerance` where flat.
 * `worst` keeps the largest error of the frames that passed.
 */
function picture(
  expected: Rgb,
  tolerance: number,
): ((img: Rgb) => string | null) & { worst: number } {
  const check = (img: Rgb): string | null => {
    const e = flatError(img, expected);
    if (e > tolerance) return `max error ${e}`;
    check.worst = Math.max(check.worst, e);
    return null;
  };
  check.worst = 0;
  return check;
}

vmTest(
  "control panel: settings changed through the API and ctl show in the loopback's frames",
  async () => {
    const t0 = performance.now();
    await stillVivid(PATTERN.squares);
    const reference = vividReference();
    const flippedLR = mirrored(reference);
    assert.ok(flatError(flippedLR, reference) > 100, "vivid's squares are not symmetric");

    const xdg = await Deno.makeTempDir({ prefix: "backscrub-control-e2e-" });
    const oldXdg = Deno.env.get("XDG_RUNTIME_DIR");
    Deno.env.set("XDG_RUNTIME_DIR", xdg);
    const timings: string[] = [];
    const mark = (what: string) => timings.push(`${what} ${since(t0)}`);
    try {
      await using proc = Backscrub.spawn([
        ...["-c", CAPTURE, "-v", LOOPBACK, "--cg", `${W}x${H}`, "--fps", String(RUN_FPS)],
        ...["-b", "#00c000", "--http", "127.0.0.1:0"],
      ]);
      const m = await proc.waitForStdout(PANEL, START_MS);
      mark("panel line");
      const [, base, port, token] = m;
      assert.equal(token!.length, 43, "a 32-byte base64url token");
      const api = async (path: string, init: RequestInit = {}): Promise<Response> => {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${token}`);
        return await fetch(new URL(path, base), { ...init, headers });
      };
      const patch = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
        const r = await api("/api/settings", { method: "PATCH", body: JSON.stringify(body) });
        const json = await r.json();
        assert.equal(r.status, 200, `PATCH ${JSON.stringify(body)}: ${JSON.stringify(json)}`);
        return json;
      };

      // The runtime file ctl finds it by.
      const runtimeFile = join(xdg, "backscrub", `${proc.pid}.json`);
      const info = JSON.parse(await Deno.readTextFile(runtimeFile));
      assert.deepEqual(
        [info.url, info.token, info.pid, info.camera, info.virtual],
        [base, token, proc.pid, CAPTURE, LOOPBACK],
      );
      assert.equal((await Deno.stat(runtimeFile)).mode! & 0o777, 0o600);
      // Without the token: refused.
      const anonymous = await fetch(new URL("/api/status", base));
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();

      const steps: string[] = [];
      {
        using camera = await openLoopbackReader(proc, 30_000);
        const n = camera.negotiated;
        assert.deepEqual([n.width, n.height, n.fourcc], [W, H, "YUYV"]);
        using decoder = new FrameDecoder(n);
        const reader = new Reader(camera, decoder);

        // 1. The start setting: the whole frame green (the first frame waits for the model).
        await reader.next(START_MS);
        mark("first frame");
        steps.push(`#00c000 after ${await reader.until("-b #00c000", whole("#00c000"))}`);

        // 2. A colour through the API: the answer is the settings in force, the frames follow.
        const colour = await patch({ color: "#c000c0" });
        assert.equal(colour.background, "#c000c0");
        steps.push(`color #c000c0 after ${await reader.until("color", whole("#c000c0"))}`);
        mark("colour seen");

        // 3. The status names the devices and counts frames; the preview is a JPEG of the output.
        let status: Record<string, unknown> = {};
        for (let i = 0; i < 20; i++) {
          await reader.next(); // keeps the loopback read (and the camera running)
          const r = await api("/api/status");
          assert.equal(r.status, 200);
          assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
          status = await r.json();
          if (typeof status.fps === "number" && status.fps > 0) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        const camInfo = status.camera as Record<string, unknown>;
        const virtInfo = status.virtual as Record<string, unknown>;
        assert.equal(camInfo?.device, CAPTURE, JSON.stringify(status));
        assert.equal(virtInfo?.device, LOOPBACK, JSON.stringify(status));
        assert.ok(typeof status.fps === "number" && status.fps > 0, `fps: ${status.fps}`);
        assert.ok((status.frames as number) > 0, `frames: ${status.frames}`);
        assert.equal(status.background, "#c000c0");
        assert.equal(status.paused, false);
        assert.equal(camInfo.paused, false);
        assert.ok((virtInfo.readers as number) >= 1, `readers: ${virtInfo.readers}`);
        const shot = await api("/api/preview.jpg");
        if (shot.status !== 200) {
          throw new Error(`preview.jpg: ${shot.status} ${await shot.text()}`);
        }
        assert.equal(shot.headers.get("content-type"), "image/jpeg");
        const jpeg = new Uint8Array(await shot.arrayBuffer());
        assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], "a JPEG");
        {
          using jd = new JpegDecoder();
          const hdr = jd.header(jpeg);
          assert.deepEqual([hdr.width, hdr.height], [W, H]);
          const rgb = new Uint8Array(hdr.width * hdr.height * 3);
          jd.decode(jpeg, rgb, { format: "rgb" });
          const share = shareOf(rgb, hex("#c000c0"), 8);
          assert.ok(share >= 0.95, `preview: ${(share * 100).toFixed(1)}% #c000c0 within ±8`);
        }
        steps.push(
          `status ${
            (status.fps as number).toFixed(1)
          } fps, ${status.frames} frames; preview ${jpeg.length} B`,
        );
        mark("status and preview");

        // 4. Background off: vivid's squares pass through; then `backscrub ctl set mirror on`.
        assert.equal((await patch({ background: "off" })).background, "off");
        const passThrough = picture(reference, 3);
        const offAfter = await reader.until("background off", passThrough);
        steps.push(`off after ${offAfter} (max error ${passThrough.worst})`);
        const tc = performance.now();
        const ctl = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}main.ts`, "ctl", "set", "mirror", "on"],
          env: { XDG_RUNTIME_DIR: xdg },
          stdin: "null",
          signal: AbortSignal.timeout(CTL_MS),
        }).output();
        const ctlOut = new TextDecoder().decode(ctl.stdout) + new TextDecoder().decode(ctl.stderr);
        steps.push(`ctl ran ${since(tc)}`);
        mark("ctl set mirror on");
        assert.equal(ctl.code, 0, `ctl: ${ctlOut}`);
        const mirror = picture(flippedLR, 3);
        const mirrorAfter = await reader.until("mirror", mirror);
        steps.push(`mirror (ctl) after ${mirrorAfter} (max error ${mirror.worst})`);
        const settings = await (await api("/api/settings")).json();
        assert.equal(settings.mirror, true);

        // 5. Privacy over `off`: the camera's picture is replaced by the privacy grey.
        assert.equal((await patch({ privacy: true })).privacy, true);
        steps.push(`privacy after ${await reader.until("privacy", whole(PRIVACY_COLOUR))}`);
        mark("privacy seen");
        camera.stop();
      }

      // 6. SIGTERM: exit 0, its summary, the runtime file gone.
      proc.kill("SIGTERM");
      const exit = await proc.wait(EXIT_MS);
      mark("exit");
      const context = `\n${proc.describe()}`;
      assert.equal(exit.signal, null, `ended by ${exit.signal}${context}`);
      assert.equal(exit.code, 0, `exit status${context}`);
      assert.doesNotMatch(exit.stderr, CRASH, `no stack trace${context}`);
      const summary = SUMMARY.exec(exit.stdout);
      assert.ok(summary, `the summary line${context}`);
      assert.ok(summary[5]!.includes("stopped by signal"), context);
      await assert.rejects(Deno.stat(runtimeFile), Deno.errors.NotFound, "runtime file removed");
      assert.deepEqual([...Deno.readDirSync(join(xdg, "backscrub"))], [], "no runtime file left");
      console.log(
        `  port ${port}; frames after each change's answer: ${steps.join("; ")}\n  ${
          timings.join(", ")
        }\n  ${summary[0]}${exit.stderr.trim() ? `\n  stderr: ${exit.stderr.trim()}` : ""}`,
      );
    } finally {
      if (oldXdg === undefined) Deno.env.delete("XDG_RUNTIME_DIR");
      else Deno.env.set("XDG_RUNTIME_DIR", oldXdg);
      await Deno.remove(xdg, { recursive: true }).catch(() => {});
    }
  },
);
