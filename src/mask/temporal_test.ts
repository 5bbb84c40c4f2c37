import assert from "node:assert/strict";
import { TemporalFilter } from "./temporal.ts";

function noisy(n: number, base: number, sigma: number, seed: number): Float32Array {
  let s = seed;
  const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return Float32Array.from({ length: n }, () => {
    const v = base + (rnd() + rnd() + rnd() + rnd() - 2) * sigma * Math.sqrt(3);
    return Math.min(1, Math.max(0, v));
  });
}

Deno.test("TemporalFilter takes the first map as it is", () => {
  const t = new TemporalFilter(3);
  t.update(new Float32Array([0.1, 0.5, 0.9]));
  assert.deepEqual([...t.state], [...new Float32Array([0.1, 0.5, 0.9])]);
});

Deno.test("TemporalFilter smooths uncertain pixels' noise at least 4x", () => {
  const n = 4000;
  const t = new TemporalFilter(n, { strength: 0.8 });
  let rawFlicker = 0;
  let flicker = 0;
  let prevRaw = noisy(n, 0.5, 0.04, 1);
  t.update(prevRaw);
  let prev = t.state.slice();
  for (let k = 2; k < 30; k++) {
    const p = noisy(n, 0.5, 0.04, k);
    t.update(p);
    for (let i = 0; i < n; i++) {
      rawFlicker += Math.abs(p[i]! - prevRaw[i]!);
      flicker += Math.abs(t.state[i]! - prev[i]!);
    }
    prevRaw = p;
    prev = t.state.slice();
  }
  assert.ok(flicker * 4 < rawFlicker, `${flicker} vs ${rawFlicker}`);
});

Deno.test("TemporalFilter follows confident pixels and large changes at once", () => {
  const t = new TemporalFilter(3, { strength: 0.9 });
  t.update(new Float32Array([0.5, 0.02, 0.45]));
  // A confident new value, a jump (motion), and a small uncertain change.
  t.update(new Float32Array([1, 0.97, 0.5]));
  assert.equal(t.state[0], 1);
  assert.ok(Math.abs(t.state[1]! - 0.97) < 1e-6);
  assert.ok(Math.abs(t.state[2]! - (0.45 + 0.1 * 0.05)) < 1e-6);
});

Deno.test("TemporalFilter with strength 0 passes maps through; reset() forgets", () => {
  const off = new TemporalFilter(2, { strength: 0 });
  off.update(new Float32Array([0.5, 0.5]));
  off.update(new Float32Array([0.55, 0.4]));
  assert.deepEqual([...off.state], [...new Float32Array([0.55, 0.4])]);
  const t = new TemporalFilter(1, { strength: 0.8 });
  t.update(new Float32Array([0.5]));
  t.reset();
  t.update(new Float32Array([0.55]));
  assert.ok(Math.abs(t.state[0]! - 0.55) < 1e-6);
  assert.throws(() => new TemporalFilter(1, { strength: 1 }), RangeError);
});
