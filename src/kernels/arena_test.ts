import assert from "node:assert/strict";
import { Arena } from "./arena.ts";

function arena(pages = 1): Arena {
  return new Arena(new WebAssembly.Memory({ initial: pages, maximum: pages }), 1024);
}

Deno.test("Arena hands out zeroed, 64-byte aligned views of its memory above the base", () => {
  const a = arena();
  const x = a.bytes(10), y = a.float32(3), z = a.float64(1);
  for (const v of [x, y, z]) {
    assert.ok(a.holds(v));
    assert.equal(v.byteOffset % 64, 0);
    assert.ok(v.byteOffset >= 1024);
  }
  assert.equal(y.byteOffset - x.byteOffset, 64);
  x.fill(7);
  a.release(x);
  assert.deepEqual([...a.bytes(10)], Array(10).fill(0), "a reused block comes back zeroed");
});

Deno.test("Arena.release() merges free neighbours; a second release is ignored", () => {
  const a = arena();
  const x = a.bytes(64), y = a.bytes(64), z = a.bytes(64);
  a.release(y);
  a.release(x);
  a.release(x);
  assert.equal(a.stats.blocks, 1);
  const big = a.bytes(128);
  assert.equal(big.byteOffset, x.byteOffset, "x and y merged into one free range");
  a.release(z);
  a.release(big);
  assert.deepEqual(a.stats, { used: 0, peak: 192, blocks: 0, overflows: 0 });
});

Deno.test("Arena hands out a plain array when its memory is full, and counts it", () => {
  const a = arena(1);
  const full = a.bytes(65536 - 1024);
  assert.ok(a.holds(full));
  const more = a.bytes(100);
  assert.ok(!a.holds(more));
  assert.equal(more.length, 100);
  assert.equal(a.stats.overflows, 1);
  a.release(more); // ignored
  a.release(full);
  assert.ok(a.holds(a.bytes(100)));
});

Deno.test("Arena refuses a length that is not a whole number", () => {
  assert.throws(() => arena().bytes(-1), RangeError);
  assert.throws(() => arena().int32(1.5), RangeError);
});
