import assert from "node:assert/strict";
import { rng } from "../../tests/fixtures/rng.ts";
import { MotionGate } from "./motion.ts";

const W = 640, H = 360;

/** Measures a frame and asks whether the model should run on it. */
function step(gate: MotionGate, frame: Uint8Array, nowMs: number): boolean {
  gate.measure(frame, W, H);
  return gate.shouldRun(nowMs);
}

/** A scene: a grey backdrop, a darker "person" rectangle at `x`, camera noise (σ ≈ 2). */
function scene(x: number, seed: number): Uint8Array {
  const rand = rng(seed);
  const y = new Uint8Array(W * H);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const person = c >= x && c < x + 160 && r >= 80;
      const noise = (rand() + rand() + rand() - 1.5) * 4; // σ ≈ 2
      y[r * W + c] = Math.max(0, Math.min(255, (person ? 70 : 160) + noise));
    }
  }
  return y;
}

Deno.test("MotionGate.shouldRun() skips a still, noisy scene between refreshes", () => {
  const gate = new MotionGate({ maxIntervalMs: 200 });
  assert.equal(
    step(gate, scene(200, 1), 0),
    true,
    "the first frame runs",
  );
  let runs = 0;
  for (let i = 1; i <= 30; i++) {
    gate.measure(scene(200, 1 + i), W, H);
    if (gate.shouldRun(i * 33.3)) runs++;
  }
  // 1 s of a still scene: only the refreshes every 200 ms (4 or 5 of them).
  assert.ok(runs >= 4 && runs <= 5, `${runs} runs`);
  assert.equal(gate.skipped, 30 - runs);
});

Deno.test("MotionGate.shouldRun() runs as soon as the person moves a few pixels", () => {
  const gate = new MotionGate();
  step(gate, scene(200, 1), 0);
  assert.equal(step(gate, scene(200, 2), 33), false);
  assert.equal(
    step(gate, scene(206, 3), 66),
    true,
    "6 px to the right",
  );
  assert.equal(step(gate, scene(206, 4), 99), false, "still again");
});

Deno.test("MotionGate.shouldRender() keeps the mask of a still frame until a new model output", () => {
  const gate = new MotionGate();
  gate.measure(scene(200, 1), W, H);
  assert.equal(gate.shouldRender(false), true, "the first frame renders");
  gate.measure(scene(200, 2), W, H);
  assert.equal(gate.shouldRender(false), false, "noise only: keep");
  assert.equal(gate.shouldRender(true), true, "a new model output renders");
  gate.measure(scene(210, 3), W, H);
  assert.equal(gate.shouldRender(false), true, "movement renders");
  assert.equal(gate.kept, 1);
});
