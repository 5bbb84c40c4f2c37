/**
 * The live soak (part (b) of `deno task soak`; skipped unless E2E_SOAK_MINUTES is set): vivid
 * with a moving picture → backscrub (the defaults: mask-aware blur, the model beside the loop,
 * `-d`) → v4l2loopback, read by this process the whole time, for E2E_SOAK_MINUTES minutes.
 *
 * Measured after a warm-up (the first minute, or the first tenth of a shorter run): backscrub's
 * open fds and RSS every 10 s, its CPU time, the intervals between the frames the reader gets
 * (their kernel timestamps) and backscrub's own per-second stage times (`-d`). Judged: the same
 * fds at the end, RSS growth under 5 MB (medians of the first and last fifth of the readings),
 * the interval's p99 and the loop's work per frame of the last tenth within 1.5x (+10 ms) of the
 * first tenth's. The figures also go out as one `SOAK-LIVE {json}` line for `scripts/soak.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  describeDrift,
  drift,
  type ProcSample,
  procSample,
  quantile,
} from "../fixtures/proc_stats.ts";
import { Backscrub, CAPTURE, IN_VM, LOOPBACK, openLoopbackReader, run, v4l2ctl } from "./_vm.ts";

const MINUTES = Number(Deno.env.get("E2E_SOAK_MINUTES") || 0);
const W = 320;
const H = 180;
const FPS = 30;
/** RSS may grow this much after the warm-up (MB). */
const RSS_LIMIT_MB = 5;
const START_MS = 90_000;
const EXIT_MS = 30_000;

/** One `-d` status line: the stage means of one second. */
const STATUS =
  /^grab ([\d.-]+) decode ([\d.-]+) prep ([\d.-]+) infer ([\d.-]+) post ([\d.-]+) compose ([\d.-]+) convert ([\d.-]+) write ([\d.-]+) ms \| ([\d.]+) fps, model ([\d.]+) fps/;

/** utime + stime of a process, in seconds (`/proc/PID/stat`, 100 ticks a second). */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The loop's own work per frame in one status line (waiting for the camera and the model left out). */
function workMs(line: RegExpExecArray): number {
  return [2, 3, 5, 6, 7, 8].reduce((sum, i) => sum + (Number(line[i]) || 0), 0);
}

Deno.test({
  name:
    `soak: ${MINUTES} min live, vivid → backscrub → loopback with a reader: fds, RSS, frame times flat`,
  ignore: !IN_VM || !(MINUTES > 0),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t0 = performance.now();
    // A moving picture with changing text: the model keeps working.
    await v4l2ctl("-d", CAPTURE, "-c", "test_pattern=0,osd_text_mode=0,horizontal_movement=4");
    const runMs = MINUTES * 60_000;
    const warmMs = Math.min(60_000, runMs / 10);
    try {
      await using proc = Backscrub.spawn(
        ["-c", CAPTURE, "-v", LOOPBACK, "--cg", `${W}x${H}`, "--fps", String(FPS), "-d"],
      );
      await proc.waitForStdout(/^backscrub: options .*$/m, START_MS);
      const stamps = new Float64Array(Math.ceil(MINUTES * 60 * FPS * 1.2) + 100);
      const arrival = new Float64Array(stamps.length);
      let n = 0;
      let missed = 0;
      const samples: ProcSample[] = [];
      const cpu: { at: number; s: number }[] = [];
      let start = 0;
      {
        using reader = await openLoopbackReader(proc, 30_000);
        start = performance.now();
        const ticker = setInterval(() => {
          const at = performance.now() - start;
          if (at >= warmMs) samples.push(procSample(proc.pid, at));
          cpu.push({ at, s: cpuSeconds(proc.pid) });
        }, 10_000);
        try {
          let sequence = -1;
          while (performance.now() - start < runMs && n < stamps.length) {
            const frame = await reader.grabAsync(5_000);
            if (frame === null) throw new Error(`No frame for 5 s after ${n}:\n${proc.describe()}`);
            if (sequence >= 0) missed += frame.sequence - sequence - 1;
            sequence = frame.sequence;
            stamps[n] = frame.timestampUs / 1000;
            arrival[n++] = performance.now() - start;
            reader.release(frame);
          }
        } finally {
          clearInterval(ticker);
        }
      }
      proc.kill("SIGTERM");
      const exit = await proc.wait(EXIT_MS);
      assert.equal(exit.code, 0, proc.describe());
      const stderr = exit.stderr.split("\n").filter((l) => l !== "");
      const odd = stderr.filter((l) => !STATUS.test(l));
      assert.deepEqual(odd, [], "nothing but -d status lines on stderr");

      // Intervals between consecutive frames the reader got, after the warm-up.
      const first = arrival.findIndex((a) => a >= warmMs);
      const gaps: number[] = [];
      for (let i = Math.max(1, first); i < n; i++) gaps.push(stamps[i]! - stamps[i - 1]!);
      const tenth = Math.max(1, Math.floor(gaps.length / 10));
      const interval = (xs: number[]) => ({
        p50: quantile(xs, 0.5),
        p99: quantile(xs, 0.99),
        max: Math.max(...xs),
      });
      const gapsFirst = interval(gaps.slice(0, tenth));
      const gapsLast = interval(gaps.slice(-tenth));
      // backscrub's own stage means, one line a second, after the warm-up.
      const status = stderr.map((l) => STATUS.exec(l)).filter((m) => m !== null);
      const measured = status.slice(Math.ceil(warmMs / 1000));
      const st = Math.max(1, Math.floor(measured.length / 10));
      const work = (ms: RegExpExecArray[]) => quantile(ms.map(workMs), 0.5);
      const fps = (ms: RegExpExecArray[]) => quantile(ms.map((m) => Number(m[9])), 0.5);
      const modelFps = (ms: RegExpExecArray[]) => quantile(ms.map((m) => Number(m[10])), 0.5);
      // CPU % of a core over the first and the last tenth after the warm-up.
      const after = cpu.filter((c) => c.at >= warmMs);
      const ct = Math.max(2, Math.ceil(after.length / 10));
      const share = (xs: typeof cpu) =>
        xs.length < 2
          ? NaN
          : (xs.at(-1)!.s - xs[0]!.s) / ((xs.at(-1)!.at - xs[0]!.at) / 1000) * 100;
      const d = drift(samples);
      const figures = {
        minutes: MINUTES,
        size: `${W}x${H}`,
        fps: FPS,
        frames: n,
        missedByReader: missed,
        warmUpSeconds: warmMs / 1000,
        drift: d,
        intervalMs: { first: gapsFirst, last: gapsLast },
        workMs: { first: work(measured.slice(0, st)), last: work(measured.slice(-st)) },
        fpsOut: { first: fps(measured.slice(0, st)), last: fps(measured.slice(-st)) },
        modelFps: { first: modelFps(measured.slice(0, st)), last: modelFps(measured.slice(-st)) },
        cpuPercent: { first: share(after.slice(0, ct)), last: share(after.slice(-ct)) },
        summary: /^backscrub: \d+ frames in .*$/m.exec(exit.stdout)?.[0] ?? null,
      };
      const f = (x: number) => x.toFixed(1);
      console.log(
        [
          `  live soak: ${MINUTES} min of vivid ${W}x${H}@${FPS} → backscrub (blur, model) → ` +
          `${LOOPBACK}; ${n} frames read (${missed} missed by the reader); after a ` +
          `${warmMs / 1000} s warm-up:`,
          `  backscrub ${describeDrift(d)}`,
          `  frame interval first/last tenth: p50 ${f(gapsFirst.p50)}/${f(gapsLast.p50)} ms, ` +
          `p99 ${f(gapsFirst.p99)}/${f(gapsLast.p99)} ms, max ${f(gapsFirst.max)}/${
            f(gapsLast.max)
          } ms`,
          `  loop work per frame (-d, median of the per-second means) ${f(figures.workMs.first)}/${
            f(figures.workMs.last)
          } ms; out ${f(figures.fpsOut.first)}/${f(figures.fpsOut.last)} fps, model ${
            f(figures.modelFps.first)
          }/${f(figures.modelFps.last)} fps; CPU ${f(figures.cpuPercent.first)}/${
            f(figures.cpuPercent.last)
          }% of a core`,
          `  RSS every 10 s (MB): ${samples.map((x) => x.rssMb.toFixed(1)).join(" ")}`,
          `  ${figures.summary} (${Math.round((performance.now() - t0) / 1000)} s)`,
        ].join("\n"),
      );
      console.log(`SOAK-LIVE ${JSON.stringify(figures)}`);
      assert.equal(d.fds.last, d.fds.first, `fds: ${describeDrift(d)}`);
      assert.ok(d.rssMb.growth < RSS_LIMIT_MB, `RSS: ${describeDrift(d)}`);
      assert.ok(gapsLast.p99 <= gapsFirst.p99 * 1.5 + 10, "the interval's p99 stays");
      assert.ok(
        figures.workMs.last <= figures.workMs.first * 1.5 + 10,
        "the loop's work per frame stays",
      );
    } finally {
      await run("v4l2-ctl", ["-d", CAPTURE, "-c", "osd_text_mode=2,horizontal_movement=3"]);
    }
  },
});
