import assert from "node:assert/strict";
import { FrameTiming } from "../frame/timing.ts";
import { STAGES, Stats } from "./stats.ts";

/** The numbers of a status line: stage → mean ms (null for "-"). */
function stagesOf(line: string): Map<string, number | null> {
  const head = line.split(" ms |")[0]!.split(" ");
  const out = new Map<string, number | null>();
  for (let i = 0; i < head.length; i += 2) {
    out.set(head[i]!, head[i + 1] === "-" ? null : Number(head[i + 1]));
  }
  return out;
}

Deno.test("Stats.record() averages the stages that ran and skips the others", () => {
  const stats = new Stats();
  const t = new FrameTiming();
  t.grab = 1;
  t.post = 2;
  t.compose = 3;
  t.write = 4;
  stats.record(t);
  t.reset();
  t.grab = 3;
  t.post = 4;
  t.compose = 5;
  t.write = 6;
  t.prep = 0.5;
  stats.record(t);
  const line = stats.line();
  const stages = stagesOf(line);
  assert.deepEqual([...stages.keys()], [...STAGES], line);
  assert.equal(stages.get("grab"), 2);
  assert.equal(stages.get("post"), 3);
  assert.equal(stages.get("compose"), 4);
  assert.equal(stages.get("write"), 5);
  assert.equal(stages.get("prep"), 0.5, "the mean of the frames where it ran");
  assert.equal(stages.get("decode"), null);
  assert.equal(stages.get("infer"), null);
  assert.equal(stages.get("convert"), null);
  assert.equal(stats.totalFrames, 2);
  assert.equal(stats.totalModelRuns, 0);
});

Deno.test("Stats counts a model run for each frame that took a model output", () => {
  const stats = new Stats();
  const t = new FrameTiming();
  for (let i = 0; i < 6; i++) {
    t.reset();
    t.grab = 1;
    if (i % 3 === 0) {
      t.modelTaken = true;
      t.infer = 10 + i;
    }
    stats.record(t);
  }
  assert.equal(stats.totalFrames, 6);
  assert.equal(stats.totalModelRuns, 2);
  const line = stats.line();
  assert.equal(stagesOf(line).get("infer"), 11.5, line);
  const [frames, model] = [...line.matchAll(/([\d.]+) fps/g)].map((m) => Number(m[1]));
  assert.ok(frames! > 0 && model! > 0 && Math.abs(frames! / model! - 3) < 1e-6, line);
});

Deno.test("Stats.line() starts a new interval and keeps the totals", () => {
  const stats = new Stats();
  const t = new FrameTiming();
  t.grab = 7;
  t.modelTaken = true;
  stats.record(t);
  stats.skipped = 2;
  assert.match(stats.line(), /, 2 frames skipped$/);
  const next = stats.line();
  assert.ok(stagesOf(next).get("grab") === null, next);
  assert.match(next, /\| 0\.0 fps, model 0\.0 fps, 2 frames skipped$/);
  assert.equal(stats.totalFrames, 1);
  assert.equal(stats.totalModelRuns, 1);
  assert.ok(stats.elapsed() >= 0 && stats.elapsed() < 1000);
});

Deno.test("Stats.record() reads the record and does not keep it", () => {
  const stats = new Stats();
  const t = new FrameTiming();
  t.grab = 2;
  stats.record(t);
  t.grab = 4; // changing the record afterwards does not change what was recorded
  assert.equal(stagesOf(stats.line()).get("grab"), 2);
});
