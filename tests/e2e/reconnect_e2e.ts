/**
 * Losing the camera is never fatal, on a real kernel: vivid → backscrub (a child process, `-b off`
 * so that no model runs under emulation) → v4l2loopback, with a reader on the loopback all along.
 * The camera is unplugged and plugged in again (`unbind`/`bind`), unplugged and its driver
 * reloaded so that it comes back as another node (`/dev/video3`), disconnected (`disconnect=1`:
 * vivid registers its nodes again once their last handle is closed), fails fatally
 * (`inject_fatal_streaming_error`), stalls for 15 s (`percentage_of_dropped_buffers=100`), is held
 * by another program when a reader arrives after idling, and has its format changed to YU12 by
 * another program while backscrub idles. Each time the reader's frames never stop (no wait of
 * `GAP_LIMIT_MS`, see there), the "camera unavailable" notice replaces the last frame when the camera is away
 * for more than 2 s, the camera's own pictures are back within 2 s of its return (told apart by
 * content: the notice frame byte for byte, and vivid's frame counter, which makes every new
 * picture differ from the one before), backscrub says what happened in one line per change and
 * exits 0 on SIGTERM with the absences counted.
 *
 * Readers of a v4l2loopback device block when the writer sends nothing: every read has a timeout.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Camera } from "../../src/device/mod.ts";
import { fillYuyv, Notice } from "../../src/image/notice.ts";
import { PRIVACY_COLOUR } from "../../src/pipeline/settings.ts";
import {
  Backscrub,
  CAPTURE,
  LOOPBACK,
  openLoopbackReader,
  run,
  sleep,
  stillVivid,
  v4l2ctl,
  vmTest,
  waitFor,
} from "./_vm.ts";

/** vivid's smallest webcam size, fast enough under emulation. */
const W = 320;
const H = 180;
/** Start to banner: deno start (5-25 s under TCG); no model with `-b off`. */
const START_MS = 90_000;
/**
 * The reader never waits this long for a frame — or, on a host so loaded that plain streaming
 * already shows long waits, never more than 500 ms longer than it did then. Under emulation (TCG,
 * about 16x slower than native) plain streaming shows waits of 0.1–0.8 s now and then; a virtual
 * camera that stopped would show 3 s (the reader's timeout) or more.
 */
const GAP_LIMIT_MS = 1_000;

/** The gap limit, given the worst wait seen while the camera streamed plainly. */
function gapLimit(steady: number): number {
  return Math.max(GAP_LIMIT_MS, steady + 500);
}
/** The promise: the camera's picture is back this soon after it returns. */
const BACK_LIMIT_MS = 2_000;
/** The notice comes ~2 s after the camera went away; under emulation allow more. */
const NOTICE_LIMIT_MS = 6_000;
/** SIGTERM to exit. */
const EXIT_MS = 20_000;
/** vivid's module options in the VM (`run-in-vm.sh`), and the node it comes back at when moved. */
const VIVID_ARGS = ["n_devs=1", "node_types=0x1", "num_inputs=1", "input_types=0x0"];
const MOVED = "/dev/video3";

const GREY = [1, 3, 5].map((i) => parseInt(PRIVACY_COLOUR.slice(i, i + 2), 16)) as [
  number,
  number,
  number,
];

/** What backscrub sends while the camera is away with `-b off`: the grey with the notice. */
const NOTICE_FRAME: Uint8Array = (() => {
  const yuyv = new Uint8Array(W * H * 2);
  fillYuyv(yuyv, GREY);
  new Notice({ width: W, height: H }).drawYuyv(yuyv);
  return yuyv;
})();

/**
 * What a frame shows: the notice (byte for byte), a new picture from the camera (vivid's frame
 * counter, drawn in its top rows, makes every frame differ from the one before), or the frame
 * before again (the last picture, sent while the camera is silent).
 */
type Kind = "camera" | "notice" | "repeat";

/** Mean absolute difference of two frames. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / Math.max(1, a.length);
}

/** vivid's still colour bars with its frame counter on, so that every new frame differs. */
async function countingVivid(): Promise<void> {
  await stillVivid();
  await v4l2ctl("-d", CAPTURE, "-c", "osd_text_mode=1");
}

/** A reader on the loopback that records every frame's arrival and what it shows. */
class LoopReader {
  readonly frames: { t: number; kind: Kind }[] = [];
  readonly #camera: Camera;
  readonly #previous = new Uint8Array(W * H * 2);
  #stop = false;
  readonly #done: Promise<void>;

  private constructor(camera: Camera) {
    this.#camera = camera;
    this.#done = this.#run();
  }

  /** Opens the loopback (once backscrub writes) and starts recording. */
  static async open(proc: Backscrub): Promise<LoopReader> {
    return new LoopReader(await openLoopbackReader(proc, 20_000));
  }

  #classify(data: Uint8Array): Kind {
    if (meanDiff(data, NOTICE_FRAME) < 1) return "notice";
    return data.every((b, i) => b === this.#previous[i]) ? "repeat" : "camera";
  }

  async #run(): Promise<void> {
    while (!this.#stop) {
      const f = await this.#camera.grabAsync(3_000);
      const t = performance.now();
      if (f === null) continue; // shows as a gap
      const kind = this.#classify(f.data);
      this.#previous.set(f.data.subarray(0, this.#previous.length));
      this.#camera.release(f);
      this.frames.push({ t, kind });
    }
  }

  /** The longest wait between two frames from `from` on (and since the last frame, until now). */
  worstGap(from: number): number {
    let worst = 0;
    let last = from;
    for (const f of this.frames) {
      if (f.t < from) continue;
      worst = Math.max(worst, f.t - last);
      last = f.t;
    }
    return Math.max(worst, performance.now() - last);
  }

  /** When the first frame of `kind` after `from` came, or null. */
  first(kind: Kind, from: number): number | null {
    return this.frames.find((f) => f.t >= from && f.kind === kind)?.t ?? null;
  }

  /** How many frames of each kind came from `from` on. */
  counts(from: number): Record<Kind, number> {
    const out: Record<Kind, number> = { camera: 0, notice: 0, repeat: 0 };
    for (const f of this.frames) if (f.t >= from) out[f.kind]++;
    return out;
  }

  /** Waits for a frame of `kind` after `from`; returns when it came. */
  async waitFor(kind: Kind, from: number, timeoutMs: number, proc: Backscrub): Promise<number> {
    let at: number | null = null;
    await waitFor(
      () => (at = this.first(kind, from)) !== null || proc.exited,
      timeoutMs,
      `a ${kind} frame:\n${proc.describe()}`,
    );
    if (at === null) throw new Error(`backscrub ended:\n${proc.describe()}`);
    return at;
  }

  async close(): Promise<void> {
    this.#stop = true;
    await this.#done;
    this.#camera.close();
  }
}

function liveArgs(...extra: string[]): string[] {
  return ["-c", CAPTURE, "-v", LOOPBACK, "--cg", `${W}x${H}`, "--fps", "30", "-b", "off", ...extra];
}

async function sh(command: string): Promise<void> {
  const r = await run("sh", ["-c", command]);
  if (r.code !== 0) throw new Error(`${command} failed (${r.code}): ${r.stderr}`);
}

/** Stops backscrub with SIGTERM: exit 0, and the summary counts the absences. */
async function stop(proc: Backscrub, away: number): Promise<string> {
  proc.kill("SIGTERM");
  const exit = await proc.wait(EXIT_MS);
  assert.equal(exit.code, 0, proc.describe());
  assert.match(exit.stdout, new RegExp(`, camera away ${away}x for [\\d.]+ s`), proc.describe());
  return /^backscrub: \d+ frames .*$/m.exec(exit.stdout)?.[0] ?? "";
}

/**
 * The common story: backscrub streams to a reader; `lose()` takes the camera away; `awayMs` after
 * it, `restore()` brings it back. Checks the gaps, the notice (when the camera is away long
 * enough to need it) and the camera's return, and the lines said.
 */
async function story(
  name: string,
  steps: {
    lose: () => Promise<void>;
    awayMs: number;
    restore: () => Promise<void>;
    notice: boolean;
    away: RegExp;
    back: RegExp;
  },
): Promise<void> {
  await countingVivid();
  await using proc = Backscrub.spawn(liveArgs());
  await proc.waitForStdout(/^backscrub: options .*$/m, START_MS);
  const reader = await LoopReader.open(proc);
  try {
    await reader.waitFor("camera", 0, 20_000, proc);
    const steadyAt = performance.now();
    await sleep(2_000);
    const steady = reader.worstGap(steadyAt);
    const lostAt = performance.now();
    await steps.lose();
    await proc.waitForStdout(steps.away, 10_000);
    const noticeAt = steps.notice
      ? await reader.waitFor("notice", lostAt, NOTICE_LIMIT_MS + 2_000, proc)
      : null;
    await sleep(Math.max(0, steps.awayMs - (performance.now() - lostAt)));
    const restoreAt = performance.now();
    await steps.restore();
    // Back when the command that brings it back has ended (its node is there, its driver bound).
    const backAt = performance.now();
    const cameraAt = await reader.waitFor("camera", restoreAt, 10_000, proc);
    const backMs = Math.max(0, cameraAt - backAt);
    await proc.waitForStdout(steps.back, 10_000);
    await sleep(1_000);
    const gap = reader.worstGap(lostAt);
    const counts = reader.counts(lostAt);
    console.log(
      `  ${name}: ${
        noticeAt === null ? "" : `notice ${Math.round(noticeAt - lostAt)} ms after; `
      }camera back ${Math.round(backMs)} ms after its return (${
        Math.round(cameraAt - restoreAt)
      } ms after the command began); worst gap ${Math.round(gap)} ms (${
        Math.round(steady)
      } ms before); frames since: ${JSON.stringify(counts)}`,
    );
    if (noticeAt !== null) {
      assert.ok(noticeAt - lostAt < NOTICE_LIMIT_MS, `notice ${Math.round(noticeAt - lostAt)} ms`);
    }
    assert.ok(
      backMs < BACK_LIMIT_MS,
      `camera back ${Math.round(backMs)} ms after its return:\n${proc.describe()}`,
    );
    assert.ok(
      gap < gapLimit(steady),
      `a gap of ${Math.round(gap)} ms (${Math.round(steady)} ms before):\n${proc.describe()}`,
    );
  } finally {
    await reader.close();
  }
  console.log(`  ${await stop(proc, 1)}`);
}

/** Loads vivid as the VM does (at /dev/video0), or at another node. */
async function reloadVivid(extra: string[] = []): Promise<void> {
  // The module stays in use until every handle of its nodes is closed: try for a while.
  await waitFor(
    async () => (await run("modprobe", ["-r", "vivid"])).code === 0,
    10_000,
    "vivid to unload",
  );
  await sh(`modprobe vivid ${[...VIVID_ARGS, ...extra].join(" ")}`);
  await waitFor(
    () => {
      try {
        Deno.statSync(extra.length > 0 ? MOVED : CAPTURE);
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    "vivid's node",
  );
}

vmTest("reconnect: unplugged (unbind) and plugged in again (bind)", async () => {
  await story("unbind/bind", {
    lose: () => sh("echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind"),
    awayMs: 4_000,
    restore: () => sh("echo vivid.0 > /sys/bus/platform/drivers/vivid/bind"),
    notice: true,
    away: /^backscrub: camera lost: .*stopped answering \(ENODEV\).*$/m,
    back: /^backscrub: camera back: \/dev\/video0 sends frames again after [\d.]+ s$/m,
  });
});

vmTest("reconnect: unplugged, then its driver reloaded: back under another node", async () => {
  try {
    await story("unbind + reload as /dev/video3", {
      lose: () => sh("echo vivid.0 > /sys/bus/platform/drivers/vivid/unbind"),
      awayMs: 4_000,
      // backscrub closed its handles when the camera went: the module unloads.
      restore: () => reloadVivid(["vid_cap_nr=3"]),
      notice: true,
      away: /^backscrub: camera lost: .*stopped answering \(ENODEV\).*$/m,
      back: /^backscrub: camera back: \/dev\/video3 sends frames again after [\d.]+ s$/m,
    });
  } finally {
    await reloadVivid();
  }
});

vmTest("reconnect: disconnected (disconnect=1): back once backscrub has let go of it", async () => {
  await story("disconnect=1", {
    // The control unplugs the nodes under v4l2-ctl's feet: its own exit status does not matter.
    lose: () => run("v4l2-ctl", ["-d", CAPTURE, "-c", "disconnect=1"]).then(() => {}),
    awayMs: 0,
    // vivid registers its nodes again when their last handle closes: backscrub closing its own
    // is what brings the camera back, at once (no notice).
    restore: () => Promise.resolve(),
    notice: false,
    away: /^backscrub: camera lost: .*stopped answering \(ENODEV\).*$/m,
    back: /^backscrub: camera back: \/dev\/video0 sends frames again after [\d.]+ s$/m,
  });
});

vmTest("reconnect: a fatal streaming error (EIO) is met by opening the camera again", async () => {
  await story("inject_fatal_streaming_error", {
    lose: () => v4l2ctl("-d", CAPTURE, "-c", "inject_fatal_streaming_error=1").then(() => {}),
    awayMs: 0,
    restore: () => Promise.resolve(),
    // Opened again at once: never away long enough for the notice.
    notice: false,
    away: /^backscrub: camera lost: .*\(EIO\).*$/m,
    back: /^backscrub: camera back: \/dev\/video0 sends frames again after [\d.]+ s$/m,
  });
});

vmTest("reconnect: a 15 s stall (percentage_of_dropped_buffers=100)", async () => {
  try {
    await story("15 s stall", {
      lose: () => v4l2ctl("-d", CAPTURE, "-c", "percentage_of_dropped_buffers=100").then(() => {}),
      awayMs: 15_000,
      restore: () => v4l2ctl("-d", CAPTURE, "-c", "percentage_of_dropped_buffers=0").then(() => {}),
      notice: true,
      away: /^backscrub: camera silent: No frame from "\/dev\/video0" for [\d.]+ s; .*$/m,
      back: /^backscrub: camera back: \/dev\/video0 sends frames again after 1\d\.\d s$/m,
    });
  } finally {
    await v4l2ctl("-d", CAPTURE, "-c", "percentage_of_dropped_buffers=0");
  }
});

const PAUSED = new RegExp(`^backscrub: no program is reading ${LOOPBACK}: camera paused$`, "m");

vmTest(
  "reconnect: another program holds the camera when a reader arrives after idling",
  async () => {
    await countingVivid();
    await using proc = Backscrub.spawn(liveArgs());
    await proc.waitForStdout(PAUSED, START_MS + 60_000);
    // Another program streams from vivid (at backscrub's format, which it finds set).
    const other = new Deno.Command("v4l2-ctl", {
      args: ["-d", CAPTURE, "--stream-mmap", "--stream-count=100000"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let reader: LoopReader | null = null;
    try {
      await sleep(1_500);
      const openedAt = performance.now();
      reader = await LoopReader.open(proc);
      const noticeAt = await reader.waitFor("notice", openedAt, 10_000, proc);
      const busy = await proc.waitForStdout(
        /^backscrub: camera busy: Cannot .*device busy, in use by v4l2-ctl \(pid \d+\).*$/m,
        10_000,
      );
      console.log(`  ${busy[0]}`);
      await sleep(3_000);
      // From the first notice on: v4l2loopback hands a new reader the last frame written before
      // the pause first.
      const held = reader.counts(noticeAt);
      assert.equal(
        held.camera,
        0,
        `nothing but the notice while it is held: ${JSON.stringify(held)}`,
      );
      other.kill("SIGTERM");
      await other.status;
      const freedAt = performance.now();
      const cameraAt = await reader.waitFor("camera", freedAt, 10_000, proc);
      await proc.waitForStdout(/^backscrub: camera back: \/dev\/video0 .*$/m, 5_000);
      await sleep(1_000);
      const gap = reader.worstGap(noticeAt);
      console.log(
        `  busy: first frame (the notice) ${Math.round(noticeAt - openedAt)} ms after the open; ` +
          `camera back ${Math.round(cameraAt - freedAt)} ms after it was freed; worst gap ${
            Math.round(gap)
          } ms; ${JSON.stringify(reader.counts(openedAt))}`,
      );
      assert.ok(cameraAt - freedAt < BACK_LIMIT_MS, `back ${Math.round(cameraAt - freedAt)} ms`);
      assert.ok(gap < GAP_LIMIT_MS, `a gap of ${Math.round(gap)} ms:\n${proc.describe()}`);
    } finally {
      try {
        other.kill("SIGKILL");
      } catch {
        // Ended already.
      }
      await other.status;
      await reader?.close();
    }
    console.log(`  ${await stop(proc, 1)}`);
  },
);

const PANEL = /^backscrub: panel {6}(http:\/\/127\.0\.0\.1:\d+\/)\?token=(\S+)$/m;

vmTest(
  "reconnect: a camera busy at start is waited for: the notice, then the camera's frames once it is free",
  async () => {
    await countingVivid();
    // Another program streams from vivid before backscrub starts.
    const other = new Deno.Command("v4l2-ctl", {
      args: ["-d", CAPTURE, "--stream-mmap", "--stream-count=100000"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let reader: LoopReader | null = null;
    try {
      await sleep(1_500);
      await using proc = Backscrub.spawn(liveArgs());
      const busy = await proc.waitForStdout(
        /^backscrub: camera busy: Cannot .*device busy, in use by v4l2-ctl \(pid \d+\).*$/m,
        START_MS,
      );
      await proc.waitForStdout(/^backscrub: options .*$/m, START_MS);
      // The virtual camera comes up at the size asked for, with the notice.
      assert.match(
        proc.stdout,
        new RegExp(`^backscrub: capture {4}${CAPTURE} \\(.*\\) ${W}x${H} YUYV 30 fps$`, "m"),
      );
      const openedAt = performance.now();
      reader = await LoopReader.open(proc);
      const noticeAt = await reader.waitFor("notice", openedAt, 10_000, proc);
      // The control panel's status says why.
      const panel = PANEL.exec(proc.stdout);
      assert.ok(panel, proc.describe());
      const status = await (await fetch(new URL("/api/status", panel[1]), {
        headers: { authorization: `Bearer ${panel[2]}` },
      })).json();
      assert.equal(status.camera.state, "busy", JSON.stringify(status.camera));
      assert.match(status.camera.problem, /in use by v4l2-ctl/);
      await sleep(2_000);
      const held = reader.counts(noticeAt);
      assert.equal(
        held.camera,
        0,
        `nothing but the notice while it is held: ${JSON.stringify(held)}`,
      );
      other.kill("SIGTERM");
      await other.status;
      const freedAt = performance.now();
      const cameraAt = await reader.waitFor("camera", freedAt, 10_000, proc);
      await proc.waitForStdout(/^backscrub: camera back: \/dev\/video0 .*$/m, 5_000);
      await sleep(1_000);
      const gap = reader.worstGap(noticeAt);
      console.log(
        `  ${busy[0]}\n  busy at start: the notice ${
          Math.round(noticeAt - openedAt)
        } ms after the ` +
          `open; camera back ${Math.round(cameraAt - freedAt)} ms after it was freed; worst gap ${
            Math.round(gap)
          } ms; ${JSON.stringify(reader.counts(openedAt))}`,
      );
      assert.ok(cameraAt - freedAt < BACK_LIMIT_MS, `back ${Math.round(cameraAt - freedAt)} ms`);
      assert.ok(gap < GAP_LIMIT_MS, `a gap of ${Math.round(gap)} ms:\n${proc.describe()}`);
      assert.match(await v4l2ctl("-d", CAPTURE, "-V"), new RegExp(`${W}/${H}`));
      await reader.close();
      reader = null;
      console.log(`  ${await stop(proc, 1)}`);
    } finally {
      try {
        other.kill("SIGKILL");
      } catch {
        // Ended already.
      }
      await other.status;
      await reader?.close();
    }
  },
);

vmTest(
  "reconnect: another program sets the camera to YU12 while backscrub idles; a reader then gets frames, YUYV again",
  async () => {
    await countingVivid();
    await using proc = Backscrub.spawn(liveArgs());
    await proc.waitForStdout(PAUSED, START_MS + 60_000);
    await v4l2ctl("-d", CAPTURE, "-v", "pixelformat=YU12");
    assert.match(await v4l2ctl("-d", CAPTURE, "-V"), /'YU12'/);
    const openedAt = performance.now();
    const reader = await LoopReader.open(proc);
    let counts: Record<Kind, number>, gap: number, firstAt: number;
    try {
      firstAt = await reader.waitFor("camera", openedAt, 10_000, proc);
      await sleep(2_000);
      counts = reader.counts(firstAt);
      gap = reader.worstGap(firstAt);
    } finally {
      await reader.close();
    }
    console.log(
      `  YU12 while idle: first frame ${Math.round(firstAt - openedAt)} ms after the open, ` +
        `then ${JSON.stringify(counts)} in 2 s, worst gap ${Math.round(gap)} ms`,
    );
    assert.ok(counts.camera >= 10 && counts.notice === 0, JSON.stringify(counts));
    assert.ok(gap < GAP_LIMIT_MS, `a gap of ${Math.round(gap)} ms`);
    assert.match(await v4l2ctl("-d", CAPTURE, "-V"), /'YUYV'/, "backscrub set its format again");
    assert.doesNotMatch(proc.stdout + proc.stderr, /camera (lost|busy|silent)|Uncaught/);
    proc.kill("SIGTERM");
    const exit = await proc.wait(EXIT_MS);
    assert.equal(exit.code, 0, proc.describe());
  },
);
