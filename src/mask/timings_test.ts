import assert from "node:assert/strict";
import { MaskTimings } from "./timings.ts";

Deno.test("MaskTimings averages each sub-stage over the interval and starts a new one", () => {
  const t = new MaskTimings();
  t.add("guide", 1);
  t.add("guide", 2);
  t.add("upsample", 0.5);
  assert.equal(t.mean("guide"), 1.5);
  assert.equal(t.mean("temporal"), 0);
  assert.equal(t.line(), "guide 1.50 upsample 0.50");
  assert.equal(t.line(), "");
});
