/**
 * The PipeWire camera from the command line, in a private PipeWire session (`_pipewire.ts`):
 * `backscrub -c picture --loop -v pipewire` publishes a `Video/Source` node with `media.role`
 * Camera and the description "backscrub", GStreamer's `pipewiresrc` reads it byte for byte (what
 * the pipeline's own converters make of the picture), in YUY2 and I420; `-v` twice; the default
 * without a loopback device; a daemon restart mid-stream; PipeWire absent (one line, exit 1); and
 * `doctor` and `devices` with and without PipeWire.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_models.ts";
import { PipewireSession, skipWithoutPipewire } from "./_pipewire.ts";
import { makeFrame } from "../src/frame/mod.ts";
import { packYuyv, rgbToFrame } from "../src/image/planar.ts";
import { writePng } from "../src/image/png.ts";
import { yuyvTo420 } from "../src/image/yuv.ts";
import { listDevices } from "../src/device/list.ts";

const ignore = skipWithoutPipewire("tests/pipewire_camera_test");
const WIDTH = 320;
const HEIGHT = 240;

/** Horizontal bands of colour: exact through every filter of the passthrough path. */
function bands(): Uint8Array {
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const o = (y * WIDTH + x) * 3;
      rgb[o] = (y * 7) & 255;
      rgb[o + 1] = 255 - y;
      rgb[o + 2] = (y * 3 + 40) & 255;
    }
  }
  return rgb;
}

/** What backscrub writes for the picture with `-b off`: its converters, RGB → frame → YUYV. */
function expectedYuyv(rgb: Uint8Array): Uint8Array {
  const frame = makeFrame({ width: WIDTH, height: HEIGHT }, "422");
  rgbToFrame(rgb, frame);
  const yuyv = new Uint8Array(WIDTH * HEIGHT * 2);
  packYuyv(frame, yuyv);
  return yuyv;
}

/** A running backscrub whose output lines are collected. */
class Backscrub {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #done: Promise<void>;

  constructor(session: PipewireSession, args: string[]) {
    this.child = session.spawn(Deno.execPath(), ["run", "-A", join(ROOT, "main.ts"), ...args]);
    const read = async (s: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      for await (const text of s.pipeThrough(new TextDecoderStream())) this[into] += text;
    };
    this.#done = Promise.all([read(this.child.stdout, "stdout"), read(this.child.stderr, "stderr")])
      .then(() => {});
  }

  /** Waits until stdout matches. */
  async waitFor(pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
    const end = performance.now() + ms;
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (performance.now() > end) {
        throw new Error(`no ${pattern} in:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGTERM, then the exit status. */
  async stop(): Promise<number> {
    this.child.kill("SIGTERM");
    const { code } = await this.child.status;
    await this.#done;
    return code;
  }
}

/** Reads `frames` frames of `node` in `format` with pipewiresrc (killed after 30 s). */
async function readCamera(
  session: PipewireSession,
  node: string,
  format: string,
  frames: number,
): Promise<Uint8Array> {
  const file = join(session.dir, `read-${crypto.randomUUID()}.raw`);
  const r = await session.run("gst-launch-1.0", [
    "-q",
    "pipewiresrc",
    `target-object=${node}`,
    `num-buffers=${frames}`,
    "!",
    `video/x-raw,format=${format}`,
    "!",
    "filesink",
    "buffer-mode=unbuffered",
    `location=${file}`,
  ], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `pipewiresrc: ${r.stderr}`);
  return await Deno.readFile(file);
}

function assertFrames(got: Uint8Array, frame: Uint8Array, frames: number): void {
  assert.equal(got.length, frames * frame.length);
  for (let i = 0; i < frames; i++) {
    const part = got.subarray(i * frame.length, (i + 1) * frame.length);
    let diff = 0;
    for (let j = 0; j < frame.length; j++) if (part[j] !== frame[j]) diff++;
    assert.equal(diff, 0, `frame ${i}: ${diff} bytes differ from what backscrub wrote`);
  }
}

Deno.test({
  name: "backscrub -v pipewire publishes a camera that pipewiresrc reads byte for byte",
  ignore,
  async fn(t) {
    await using session = await PipewireSession.start();
    const rgb = bands();
    const picture = join(session.dir, "bands.png");
    await Deno.writeFile(
      picture,
      writePng({ width: WIDTH, height: HEIGHT, channels: 3, data: rgb }),
    );
    const expected = expectedYuyv(rgb);
    const run = new Backscrub(session, [
      "-c",
      picture,
      "--loop",
      "-v",
      "pipewire",
      "--http",
      "off",
      "-b",
      "off",
      "--no-config",
    ]);
    try {
      await run.waitFor(
        /^backscrub: output {5}pipewire "backscrub" \(node \d+\): 320x240 YUY2, I420 or NV12, 25 fps$/m,
      );

      await t.step("pw-dump: Video/Source, role Camera, description backscrub", async () => {
        const node = (await session.objects("Node")).find((n) =>
          n.props["node.name"] === "backscrub"
        );
        assert.ok(node, "the node is listed");
        assert.equal(node.props["media.class"], "Video/Source");
        assert.equal(node.props["media.role"], "Camera");
        assert.equal(node.props["node.description"], "backscrub");
      });

      await t.step("YUY2: byte for byte what backscrub wrote", async () => {
        assertFrames(await readCamera(session, "backscrub", "YUY2", 5), expected, 5);
      });

      await t.step("I420: the same frame repacked", async () => {
        const i420 = new Uint8Array(WIDTH * HEIGHT * 3 / 2);
        yuyvTo420(expected, i420, "i420", { width: WIDTH, height: HEIGHT });
        assertFrames(await readCamera(session, "backscrub", "I420", 3), i420, 3);
      });

      await t.step("PipeWire restarts mid-stream: published again, read again", async () => {
        await session.restart();
        await run.waitFor(/^backscrub: PipeWire went away \(.+\): reconnecting every second$/m);
        await run.waitFor(
          /^backscrub: PipeWire is back: the camera "backscrub" is published again \(away \d+\.\d s\)$/m,
        );
        assertFrames(await readCamera(session, "backscrub", "YUY2", 3), expected, 3);
      });
    } finally {
      assert.equal(await run.stop(), 0, run.stderr);
    }
    assert.match(run.stdout, /^backscrub: \d+ frames in .*, stopped by signal$/m);
    assert.equal(run.stderr, "");
  },
});

Deno.test({
  name: "backscrub -v null -v pipewire:NAME feeds both; without -v and a loopback device, PipeWire",
  ignore,
  async fn() {
    await using session = await PipewireSession.start();
    const picture = join(ROOT, "src", "demo", "astronaut.png");
    const common = ["--loop", "--http", "off", "-b", "off", "--vg", "320x240", "--no-config"];
    const both = new Backscrub(session, [
      "-c",
      picture,
      "-v",
      "null",
      "-v",
      "pipewire:Studio Cam",
      ...common,
    ]);
    try {
      await both.waitFor(
        /^backscrub: output {5}null: 320x240 YUYV, discarded \+ pipewire "Studio Cam" \(node \d+\): 320x240 /m,
      );
      const node = (await session.objects("Node")).find((n) =>
        n.props["node.description"] === "Studio Cam"
      );
      assert.equal(node?.props["node.name"], "backscrub.Studio_Cam");
      const got = await readCamera(session, "backscrub.Studio_Cam", "YUY2", 2);
      assert.equal(got.length, 2 * 320 * 240 * 2);
    } finally {
      assert.equal(await both.stop(), 0, both.stderr);
    }
    if (listDevices().defaultLoopback !== null) return; // this machine has one: it is the default
    const fallback = new Backscrub(session, ["-c", picture, ...common]);
    try {
      await fallback.waitFor(
        /^backscrub: no v4l2loopback device: publishing a PipeWire camera "backscrub" instead \(-v pipewire\)$/m,
      );
      await fallback.waitFor(/^backscrub: output {5}pipewire "backscrub"/m);
    } finally {
      assert.equal(await fallback.stop(), 0, fallback.stderr);
    }
  },
});

Deno.test({
  name: "backscrub -v pipewire without PipeWire: one line with the fix, exit 1",
  ignore,
  async fn() {
    await using session = await PipewireSession.start();
    await session.stopDaemon();
    const r = await session.run(Deno.execPath(), [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "-c",
      join(ROOT, "src", "demo", "astronaut.png"),
      "--loop",
      "-v",
      "pipewire",
      "--http",
      "off",
      "--no-config",
    ], { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const socket = join(session.runtimeDir, "pipewire-0");
    assert.match(
      r.stderr,
      new RegExp(
        `^backscrub: Cannot connect to PipeWire: it is not running \\(nothing answers at "${socket}": [^)]+\\([A-Z]+\\)\\) \\(start it: systemctl --user start pipewire wireplumber; or use a v4l2loopback device with -v /dev/videoN\\)\\n$`,
      ),
    );
  },
});

Deno.test({
  name: "doctor and devices report PipeWire, the portal and each browser's setting",
  ignore,
  async fn() {
    await using session = await PipewireSession.start();
    // A Firefox profile with the preference on, a Chromium without the flag.
    const home = session.env.HOME!;
    const profile = join(home, ".mozilla", "firefox", "abc.default-release");
    await Deno.mkdir(profile, { recursive: true });
    await Deno.writeTextFile(
      join(profile, "prefs.js"),
      'user_pref("media.webrtc.camera.allow-pipewire", true);\n',
    );
    await Deno.mkdir(join(home, ".config", "chromium"), { recursive: true });
    await Deno.writeTextFile(
      join(home, ".config", "chromium", "Local State"),
      JSON.stringify({ browser: { enabled_labs_experiments: [] } }),
    );
    const cli = (...args: string[]) =>
      session.run(Deno.execPath(), ["run", "-A", join(ROOT, "main.ts"), ...args], {
        timeoutMs: 120_000,
      });
    const loopback = listDevices().defaultLoopback !== null;

    const doctor = await cli("doctor", "--no-config");
    const lines = doctor.stdout.split("\n");
    const has = (re: RegExp) =>
      assert.ok(lines.some((l) => re.test(l)), `${re}:\n${doctor.stdout}`);
    has(
      /^ok {4}PipeWire running \(libpipewire \d+\.\d+\.\d+, .*pipewire-0\): backscrub can publish a PipeWire camera \(-v pipewire\)$/,
    );
    has(/^ok {4}PipeWire session manager: wireplumber$/);
    has(/^(ok {2}|warn) {2}(camera portal|no camera portal)/);
    has(
      /^ok {4}Firefox \(profile abc\.default-release\) reads PipeWire cameras \(media\.webrtc\.camera\.allow-pipewire is on\)$/,
    );
    has(
      /^warn {2}Chromium does not read PipeWire cameras: chrome:\/\/flags\/#enable-webrtc-pipewire-camera is not set \(off by default\) — fix: open chrome:\/\/flags\/#enable-webrtc-pipewire-camera, set "PipeWire Camera support" to Enabled, relaunch Chromium$/,
    );
    if (!loopback) {
      has(/^warn {2}v4l2loopback is not loaded; the PipeWire camera is used instead/);
      assert.doesNotMatch(doctor.stdout, /^FAIL .*v4l2loopback/m);
    }

    const devices = await cli("devices");
    assert.match(devices.stdout, /^PipeWire camera \(no kernel module needed\):$/m);
    assert.match(
      devices.stdout,
      /^ {2}PipeWire running \(libpipewire .*wireplumber\): -v pipewire publishes the camera "backscrub"$/m,
    );
    assert.match(
      devices.stdout,
      /^ {2}Firefox: media\.webrtc\.camera\.allow-pipewire = true \(about:config\)$/m,
    );

    await session.stopDaemon();
    const without = await cli("doctor", "--no-config", "-v", "pipewire");
    assert.equal(without.code, 1);
    assert.match(
      without.stdout,
      /^FAIL {2}the PipeWire camera cannot be published: PipeWire is not running \(nothing answers at .*\) — fix: start it: systemctl --user start pipewire wireplumber; or use a v4l2loopback device with -v \/dev\/videoN$/m,
    );
    assert.doesNotMatch(
      without.stdout,
      /v4l2loopback is not loaded/,
      "-v pipewire needs no module",
    );
  },
});
