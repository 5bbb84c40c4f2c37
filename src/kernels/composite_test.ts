import assert from "node:assert/strict";
import { type ChromaLayout, type Frame, makeFrame } from "../frame/frame.ts";
import { compositeFrame, compositeYuyv, type Despill } from "../image/composite.ts";
import { CHROMA_TO_LIMITED, LUMA_TO_LIMITED, packYuyv } from "../image/planar.ts";
import { assertSameBytes, maskLike } from "../../tests/fixtures/pixels.ts";
import { rng as random } from "../../tests/fixtures/rng.ts";
import { Kernels } from "./mod.ts";

function fillRandom(a: Uint8Array, rnd: () => number): Uint8Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.floor(rnd() * 256);
  return a;
}

function randomFrame(
  size: { width: number; height: number },
  layout: ChromaLayout,
  rnd: () => number,
  k?: Kernels,
): Frame {
  const f = k ? k.frame(size, layout) : makeFrame(size, layout);
  fillRandom(f.y, rnd);
  fillRandom(f.u, rnd);
  fillRandom(f.v, rnd);
  return f;
}

Deno.test("the 16-bit blend equals the compositors' fixed-point blend for every input", () => {
  // (c·f + b·(65536 − f) + 32768) >> 16, f = a·257 + (a >> 7)  ==  div255(c·a + b·(255 − a))
  let bad = 0;
  for (let a = 0; a < 256; a++) {
    const f = a * 257 + (a >> 7);
    for (let c = 0; c < 256; c++) {
      for (let b = 0; b < 256; b++) {
        const t = c * a + b * (255 - a) + 128;
        if (((c * f + b * (65536 - f) + 32768) >>> 16) !== ((t + (t >> 8)) >> 8)) bad++;
      }
    }
  }
  assert.equal(bad, 0);
  for (let x = 0; x <= 65025; x++) {
    const t = x + 128;
    assert.equal((t + (t >> 8)) >> 8, ((x + 128) * 257) >>> 16);
  }
  for (let i = 0; i < 256; i++) {
    const ly = 219 * i + 4080 + 128, lc = 224 * i + 3968 + 128;
    assert.equal((ly + (ly >> 8)) >> 8, LUMA_TO_LIMITED[i]);
    assert.equal((lc + (lc >> 8)) >> 8, CHROMA_TO_LIMITED[i]);
  }
});

Deno.test("Kernels.compositeYuyv() gives the bytes of compositeYuyv(), any width, layout and option", () => {
  const k = Kernels.shared();
  const rnd = random(7);
  const widths = [2, 6, 14, 16, 18, 30, 46, 64, 98];
  let cases = 0;
  for (const width of widths) {
    for (const layout of ["422", "420"] as const) {
      for (const height of [1, 3, 6]) {
        const size = { width, height };
        const n = width * height;
        for (const inMemory of [true, false]) {
          const kk = inMemory ? k : undefined;
          const cam = randomFrame(size, "422", rnd, kk);
          cam.layout = layout;
          const bg = randomFrame(size, "422", rnd, kk);
          const alpha = maskLike(n, rnd);
          const a = inMemory ? k.arena.bytes(n) : new Uint8Array(n);
          a.set(alpha);
          for (const wrapKind of ["none", "zero", "random"] as const) {
            const wrap = wrapKind === "none"
              ? null
              : wrapKind === "zero"
              ? new Uint8Array(n)
              : maskLike(n, rnd).map((v) => (v * 77) >> 8);
            for (const despill of [null, "green", "blue"] as (Despill | null)[]) {
              for (const usePacked of [false, true]) {
                const packed = usePacked ? new Uint32Array(n / 2) : null;
                if (packed) packYuyv(bg, new Uint8Array(packed.buffer));
                const want = new Uint8Array(n * 2);
                compositeYuyv(cam, bg, alpha, want, { wrap, bgPacked: packed, despill });
                const got = inMemory ? k.arena.bytes(n * 2) : new Uint8Array(n * 2);
                k.compositeYuyv(cam, bg, a, got, { wrap, bgPacked: packed, despill });
                assertSameBytes(
                  got,
                  want,
                  `${width}x${height} ${layout} wrap ${wrapKind} despill ${despill} packed ${usePacked}`,
                );
                if (inMemory) k.release(got);
                cases++;
              }
            }
          }
          if (inMemory) {
            k.releaseFrame(cam);
            k.releaseFrame(bg);
            k.release(a);
          }
        }
      }
    }
  }
  assert.ok(cases > 500);
});

Deno.test("Kernels.compositeYuyv() on a whole 1280x720 frame with a realistic mask", () => {
  const k = Kernels.shared();
  const rnd = random(99);
  const size = { width: 1280, height: 720 };
  const n = size.width * size.height;
  const cam = randomFrame(size, "422", rnd, k), bg = randomFrame(size, "422", rnd, k);
  const alpha = k.arena.bytes(n);
  // A disc of person with a soft rim of 12 pixels.
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const d = Math.hypot(x - 640, y - 400) - 300;
      alpha[y * size.width + x] = Math.max(0, Math.min(255, Math.round(127.5 - d * 21)));
    }
  }
  const wrap = k.arena.bytes(n).map((_, i) => alpha[i]! > 0 && alpha[i]! < 255 ? 60 : 0);
  const want = new Uint8Array(n * 2), got = k.arena.bytes(n * 2);
  compositeYuyv(cam, bg, alpha, want, { wrap });
  k.compositeYuyv(cam, bg, alpha, got, { wrap });
  assertSameBytes(got, want, "1280x720");
  k.releaseFrame(cam);
  k.releaseFrame(bg);
  k.release(alpha, wrap, got);
});

Deno.test("Kernels.compositeFrame() gives the bytes of compositeFrame(), any width, alias and option", () => {
  const k = Kernels.shared();
  const rnd = random(11);
  let cases = 0;
  for (const width of [1, 3, 15, 16, 17, 33, 61]) {
    for (const height of [1, 2, 5]) {
      const size = { width, height };
      const n = width * height;
      for (const inMemory of [true, false]) {
        const kk = inMemory ? k : undefined;
        for (const wrapKind of ["none", "zero", "random"] as const) {
          for (const despill of [null, "green", "blue"] as (Despill | null)[]) {
            for (const alias of ["none", "cam", "bg"] as const) {
              const cam = randomFrame(size, "444", rnd, kk), bg = randomFrame(size, "444", rnd, kk);
              const alpha = maskLike(n, rnd);
              const wrap = wrapKind === "none"
                ? null
                : wrapKind === "zero"
                ? new Uint8Array(n)
                : maskLike(n, rnd).map((v) => (v * 77) >> 8);
              const copy = (f: Frame): Frame => {
                const c = makeFrame(size, "444");
                c.y.set(f.y);
                c.u.set(f.u);
                c.v.set(f.v);
                return c;
              };
              const rc = copy(cam), rb = copy(bg);
              const rOut = alias === "cam" ? rc : alias === "bg" ? rb : makeFrame(size, "444");
              compositeFrame(rc, rb, alpha, rOut, { wrap, despill });
              const out = alias === "cam"
                ? cam
                : alias === "bg"
                ? bg
                : (kk ? kk.frame(size, "444") : makeFrame(size, "444"));
              k.compositeFrame(cam, bg, alpha, out, { wrap, despill });
              const what = `${width}x${height} wrap ${wrapKind} despill ${despill} alias ${alias}`;
              assertSameBytes(out.y, rOut.y, `${what} Y`);
              assertSameBytes(out.u, rOut.u, `${what} Cb`);
              assertSameBytes(out.v, rOut.v, `${what} Cr`);
              if (inMemory) {
                k.releaseFrame(cam);
                k.releaseFrame(bg);
                if (alias === "none") k.releaseFrame(out);
              }
              cases++;
            }
          }
        }
      }
    }
  }
  assert.ok(cases > 300);
});

Deno.test("Kernels.compositeYuyv() refuses what compositeYuyv() refuses", () => {
  const k = Kernels.shared();
  const size = { width: 4, height: 2 };
  const cam = k.frame(size, "422"), bg = k.frame(size, "422");
  assert.throws(() => k.compositeYuyv(cam, bg, new Uint8Array(8), new Uint8Array(15)), RangeError);
  assert.throws(() => k.compositeYuyv(cam, bg, new Uint8Array(7), new Uint8Array(16)), RangeError);
  assert.throws(
    () =>
      k.compositeYuyv(
        cam,
        k.frame({ width: 4, height: 1 }, "422"),
        new Uint8Array(8),
        new Uint8Array(16),
      ),
    RangeError,
  );
  assert.throws(
    () => k.compositeYuyv(k.frame(size, "444"), bg, new Uint8Array(8), new Uint8Array(16)),
    RangeError,
  );
});

Deno.test("Kernels.staged counts copies only for arrays outside the memory", () => {
  const k = new Kernels({ megabytes: 4 });
  const size = { width: 32, height: 2 };
  const cam = k.frame(size, "422"), bg = k.frame(size, "422");
  const alpha = k.arena.bytes(64), yuyv = k.arena.bytes(128);
  const before = k.staged;
  k.compositeYuyv(cam, bg, alpha, yuyv);
  assert.equal(k.staged, before);
  k.compositeYuyv(cam, bg, new Uint8Array(64), yuyv);
  assert.equal(k.staged, before + 64);
});
