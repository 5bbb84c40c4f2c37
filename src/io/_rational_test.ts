import assert from "node:assert/strict";
import { fpsToRatio, parseRatio } from "./_rational.ts";

Deno.test("fpsToRatio() keeps integers, finds NTSC rates and reduces the rest", () => {
  assert.deepEqual(fpsToRatio(30), { num: 30, den: 1 });
  assert.deepEqual(fpsToRatio(29.97), { num: 30000, den: 1001 });
  assert.deepEqual(fpsToRatio(30000 / 1001), { num: 30000, den: 1001 });
  assert.deepEqual(fpsToRatio(23.976), { num: 24000, den: 1001 });
  assert.deepEqual(fpsToRatio(12.5), { num: 25, den: 2 });
  assert.throws(() => fpsToRatio(0), /Cannot use frame rate 0: it must be a positive number/);
  assert.throws(() => fpsToRatio(NaN), RangeError);
});

Deno.test("parseRatio() reads ffprobe and y4m ratios and rejects zero parts", () => {
  assert.deepEqual(parseRatio("30000/1001"), { num: 30000, den: 1001 });
  assert.deepEqual(parseRatio("5:1"), { num: 5, den: 1 });
  assert.equal(parseRatio("0/0"), undefined);
  assert.equal(parseRatio("30"), undefined);
});
