/**
 * `deno task soak`: does backscrub leak or slow down over a long run? Two parts:
 *
 * (a) **A file at full speed, here**: 100,000 frames of a clip played as `--loop` plays it (a
 *     portrait with gentle motion, 640x360, written once to a `.y4m` whose declared rate, 1000
 *     fps, never holds the loop back; the file is rewound at every end, ~1,100 times) through
 *     the real pipeline — the command line's stage factory and default settings (the landscape
 *     model beside the loop, the mask-aware blur), composited into the YUYV of the null sink
 *     (`-v null`). Per frame the loop's time (`onFrame` to `onFrame`); every 1,000 frames this
 *     process's RSS (`VmRSS`) and open fds.
 * (b) **Live in the VM** (`tests/e2e/soak_e2e.ts` through `scripts/test-e2e.sh`): vivid (moving)
 *     → backscrub → v4l2loopback, read by a reader the whole time, for 10 minutes; backscrub's
 *     RSS and fds every 10 s, the frame intervals the reader sees, and backscrub's own `-d`
 *     stage times. It also runs the reader churn at full length.
 *
 * Judged after a warm-up (the first 5% of the frames, at least 1,000, and at least until V8 has
 * once collected large dropped buffers, if it drops any, see `warmUpEnd`; live: the first
 * minute): RSS growth under 5 MB (the median of the last fifth of the readings minus that of the
 * first fifth), the same fds at the end, and the frame time's p99 of the last 10% of the frames
 * within 1.5x (+2 ms) of the first 10%'s. Exit 1 when a bound is broken.
 *
 * Usage:
 *   deno task soak                    both parts (a: 6-25 min as the machine is loaded; b: ~25
 *                                     min with the VM's start and the full reader churn)
 *   deno task soak --frames 5000      part (a) with another frame count (0: skip it)
 *   deno task soak --minutes 2        part (b) for another length (0: skip it)
 *   deno task soak --size 1280x720    part (a)'s frame size (default 640x360)
 *   deno task soak --json             one JSON document on stdout (the figures) instead
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { cliStageFactory, settingsFromOptions } from "../src/cli/stage_factory.ts";
import { parseLiveOptions } from "../src/cli/options.ts";
import { PortraitSource } from "../src/demo/portrait_source.ts";
import { makeFrame } from "../src/frame/frame.ts";
import { FrameTiming } from "../src/frame/timing.ts";
import { loadImage } from "../src/io/image_file.ts";
import { LoopSource } from "../src/io/loop_source.ts";
import { openFileSource } from "../src/io/mod.ts";
import { NullSink } from "../src/io/null_sink.ts";
import { Y4mWriter } from "../src/io/y4m.ts";
import { Pipeline } from "../src/pipeline/loop.ts";
import {
  describeDrift,
  type Drift,
  drift,
  type ProcSample,
  procSample,
  quantile,
} from "../tests/fixtures/proc_stats.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** RSS may grow this much after the warm-up (MB). */
export const RSS_LIMIT_MB = 5;

/** The figures of part (a). */
export interface FileSoak {
  frames: number;
  size: string;
  seconds: number;
  fps: number;
  modelRuns: number;
  restarts: number;
  warmUpFrames: number;
  /** The frame by which V8 first collected the loop's dropped buffers (null: not in this run). */
  firstCollectionAt: number | null;
  /** RSS (MB) at every 10,000th frame, from the start. */
  rssMbEvery10k: number[];
  drift: Drift;
  /** Frame time (ms) of the first and last 10% of the frames after the warm-up. */
  frameMs: { first: { p50: number; p99: number }; last: { p50: number; p99: number } };
  /** V8's heap in use (MB) after the warm-up and at the end. */
  heapMb: { start: number; end: number };
  /**
   * Memory outside V8's heap that V8 tracks (ArrayBuffers; MB): after the warm-up, the highest
   * reading, and at the end. Buffers dropped in old space pile up here until a full collection.
   */
  externalMb: { start: number; max: number; end: number };
  ok: boolean;
  problems: string[];
}

/** One reading of this process, every 1,000 frames. */
interface Reading {
  frame: number;
  proc: ProcSample;
  heapMb: number;
  externalMb: number;
}

/**
 * Where the warm-up ends: after 5% of the frames (at least 1,000) and after V8's first full
 * collection of external memory (a reading under half of the one before, from over 16 MB), when
 * there is one. A looped file opened anew at each end (`--loop` did so with y4m files until it
 * rewound them) drops a frame buffer each time, and dropped buffers wait in old space for a full
 * collection: V8 lets ~64 MB of them pile up first, so until then RSS climbs with no leak at all.
 */
function warmUpEnd(
  readings: readonly Reading[],
  frames: number,
): { frames: number; collectedAt: number | null } {
  const base = Math.max(1000, Math.floor(frames / 20));
  for (let i = 1; i < readings.length; i++) {
    const was = readings[i - 1]!.externalMb;
    if (was > 16 && readings[i]!.externalMb < was / 2) {
      const at = readings[i]!.frame;
      return { frames: Math.max(base, at), collectedAt: at };
    }
  }
  return { frames: base, collectedAt: null };
}

/** Whether the figures keep the bounds; the broken ones, said. */
function judge(d: Drift, first: number, last: number): string[] {
  const problems: string[] = [];
  if (d.rssMb.growth >= RSS_LIMIT_MB) {
    problems.push(`RSS grew ${d.rssMb.growth.toFixed(1)} MB (limit ${RSS_LIMIT_MB})`);
  }
  if (d.fds.last !== d.fds.first) problems.push(`fds ${d.fds.first} → ${d.fds.last}`);
  if (last > first * 1.5 + 2) {
    problems.push(`frame time p99 ${first.toFixed(2)} → ${last.toFixed(2)} ms`);
  }
  return problems;
}

/** Writes the soak's clip: the demo's portrait with gentle motion, 90 frames, `.y4m`. */
async function writeClip(path: string, width: number, height: number): Promise<void> {
  const photo = await loadImage(join(ROOT, "src", "demo", "astronaut.png"));
  const size = { width, height };
  const source = new PortraitSource(photo, { size, frames: 90, fps: 30 });
  // A declared rate the loop never waits for: as fast as the pipeline goes.
  await using out = await Y4mWriter.open(path, { size, fps: 1000 });
  const frame = makeFrame(size, "444");
  const timing = new FrameTiming();
  while (await source.read(frame, timing)) await out.write(frame, timing);
  await source.close();
}

/**
 * Part (a): `frames` frames of a looped clip at full speed through the command line's pipeline
 * into the null sink.
 *
 * @param frames how many
 * @param size e.g. `640x360`
 * @param progress called now and then with a line
 * @returns the figures
 */
export async function fileSoak(
  frames: number,
  size: string,
  progress: (line: string) => void = () => {},
): Promise<FileSoak> {
  const [width, height] = size.split("x").map(Number) as [number, number];
  const dir = await Deno.makeTempDir({ prefix: "backscrub-soak-" });
  try {
    const clip = join(dir, "portrait.y4m");
    await writeClip(clip, width, height);
    // What `backscrub -c portrait.y4m --loop -v null` builds (src/cli/live.ts).
    const options = parseLiveOptions(["-c", clip, "--loop", "-v", "null"]);
    using factory = cliStageFactory(options);
    await using source = await LoopSource.open(
      () => openFileSource(clip, { frames: Infinity }),
      { maxFps: options.fps },
    );
    await using sink = new NullSink(source.size);
    const times = new Float64Array(frames);
    const readings: Reading[] = [];
    const t0 = performance.now();
    let last = t0;
    await using pipeline = await Pipeline.open({
      source,
      sink,
      factory,
      settings: settingsFromOptions(options),
      mode: "live",
      maxFrames: frames,
      onFrame: (_timing, stats) => {
        const now = performance.now();
        const i = stats.totalFrames - 1;
        times[i] = now - last;
        last = now;
        if (stats.totalFrames % 1000 === 0) {
          const m = Deno.memoryUsage();
          readings.push({
            frame: stats.totalFrames,
            proc: procSample(Deno.pid, now - t0),
            heapMb: m.heapUsed / 2 ** 20,
            externalMb: m.external / 2 ** 20,
          });
          if (stats.totalFrames % 10_000 === 0) {
            const s = procSample(Deno.pid);
            progress(
              `  ${stats.totalFrames} frames, ${((now - t0) / 1000).toFixed(0)} s, RSS ${
                s.rssMb.toFixed(1)
              } MB, ${s.fds} fds`,
            );
          }
        }
      },
    });
    last = performance.now();
    const stats = await pipeline.run();
    const seconds = (performance.now() - t0) / 1000;
    const n = stats.totalFrames;
    const { frames: warmUp, collectedAt } = warmUpEnd(readings, n);
    const after = readings.filter((r) => r.frame >= warmUp);
    const heap = after.map((r) => r.heapMb);
    const external = after.map((r) => r.externalMb);
    const tenth = Math.max(1, Math.floor((n - warmUp) / 10));
    const firstTenth = times.subarray(warmUp, warmUp + tenth);
    const lastTenth = times.subarray(n - tenth, n);
    const d = drift(after.map((r) => r.proc));
    const frameMs = {
      first: { p50: quantile(firstTenth, 0.5), p99: quantile(firstTenth, 0.99) },
      last: { p50: quantile(lastTenth, 0.5), p99: quantile(lastTenth, 0.99) },
    };
    const problems = judge(d, frameMs.first.p99, frameMs.last.p99);
    return {
      frames: n,
      size,
      seconds,
      fps: n / seconds,
      modelRuns: stats.totalModelRuns,
      restarts: source.restarts,
      warmUpFrames: warmUp,
      firstCollectionAt: collectedAt,
      rssMbEvery10k: readings.filter((r) => r.frame % 10_000 === 0).map((r) =>
        Number(r.proc.rssMb.toFixed(1))
      ),
      drift: d,
      frameMs,
      heapMb: { start: heap[0] ?? NaN, end: heap.at(-1) ?? NaN },
      externalMb: {
        start: external[0] ?? NaN,
        max: Math.max(...external),
        end: external.at(-1) ?? NaN,
      },
      ok: problems.length === 0,
      problems,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One paragraph for part (a)'s figures. */
export function describeFileSoak(s: FileSoak): string {
  const f = (x: number): string => x.toFixed(2);
  return [
    `file soak: ${s.frames} frames of a ${s.size} clip (looped ${s.restarts}x) in ${
      s.seconds.toFixed(0)
    } s (${s.fps.toFixed(1)} fps), ${s.modelRuns} model runs`,
    `  RSS every 10,000 frames: ${s.rssMbEvery10k.join(" ")} MB; V8's first full collection of ` +
    `dropped buffers by frame ${s.firstCollectionAt ?? "(none)"}`,
    `  after ${s.warmUpFrames} warm-up frames: ${describeDrift(s.drift)}; V8 heap ${
      s.heapMb.start.toFixed(1)
    } → ${s.heapMb.end.toFixed(1)} MB, external ${s.externalMb.start.toFixed(1)} → ${
      s.externalMb.end.toFixed(1)
    } MB (highest ${s.externalMb.max.toFixed(1)})`,
    `  frame time, first 10%: p50 ${f(s.frameMs.first.p50)} p99 ${f(s.frameMs.first.p99)} ms; ` +
    `last 10%: p50 ${f(s.frameMs.last.p50)} p99 ${f(s.frameMs.last.p99)} ms`,
    `  ${s.ok ? "ok" : `FAIL: ${s.problems.join("; ")}`}`,
  ].join("\n");
}

/**
 * Part (b): the live soak in the VM, through `scripts/test-e2e.sh` (its output passed on); the
 * figures come back on a `SOAK-LIVE {json}` line.
 *
 * @param minutes how long
 * @returns the figures, or null when the run failed (its output says why), and its exit code
 */
async function liveSoak(
  minutes: number,
  quiet: boolean,
): Promise<{ code: number; figures: unknown }> {
  const child = new Deno.Command("bash", {
    args: [join(ROOT, "scripts", "test-e2e.sh"), "--filter", "/^(soak|reader churn):/"],
    env: { E2E_SOAK_MINUTES: String(minutes), E2E_TIMEOUT: String(minutes * 60 + 2400) },
    stdout: "piped",
    stderr: quiet ? "piped" : "inherit",
  }).spawn();
  let figures: unknown = null;
  let text = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    if (!quiet) Deno.stdout.writeSync(new TextEncoder().encode(chunk));
    text += chunk;
  }
  const status = await child.status;
  const line = /^SOAK-LIVE (\{.*\})$/m.exec(text);
  if (line) figures = JSON.parse(line[1]!);
  return { code: status.code, figures };
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      frames: { type: "string", default: "100000" },
      minutes: { type: "string", default: "10" },
      size: { type: "string", default: "640x360" },
      json: { type: "boolean", default: false },
    },
  });
  const frames = Number(args.values.frames);
  const minutes = Number(args.values.minutes);
  const size = args.values.size;
  if (!(Number.isInteger(frames) && frames >= 0) || !(minutes >= 0) || !/^\d+x\d+$/.test(size)) {
    console.error("usage: deno task soak [--frames N] [--minutes M] [--size WxH] [--json]");
    Deno.exit(2);
  }
  const json = args.values.json;
  const say = (line: string): void => {
    if (!json) console.log(line);
  };
  const result: { file?: FileSoak; live?: unknown } = {};
  let ok = true;
  if (frames > 0) {
    say(`file soak: ${frames} frames of ${size} at full speed ...`);
    const s = await fileSoak(frames, size, say);
    result.file = s;
    ok &&= s.ok;
    say(describeFileSoak(s));
  }
  if (minutes > 0) {
    say(`live soak: ${minutes} min in the VM (vivid → backscrub → v4l2loopback → a reader) ...`);
    const { code, figures } = await liveSoak(minutes, json);
    result.live = figures;
    ok &&= code === 0;
    if (code !== 0) say(`live soak: FAIL (scripts/test-e2e.sh exit ${code})`);
  }
  if (json) console.log(JSON.stringify(result, null, 2));
  Deno.exit(ok ? 0 : 1);
}
