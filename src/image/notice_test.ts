import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { fillFrame, packYuyv, yuyvToFrame } from "./planar.ts";
import { fillYuyv, Notice } from "./notice.ts";

const SIZE = { width: 320, height: 180 };
const GREY: [number, number, number] = [0x2b, 0x2f, 0x36];

Deno.test("Notice sits in the middle, a fifth of the shorter side, at an even column", () => {
  assert.deepEqual(new Notice(SIZE).rect, { x: 142, y: 72, w: 36, h: 36 });
  assert.deepEqual(new Notice({ width: 1280, height: 720 }).rect, {
    x: 568,
    y: 288,
    w: 144,
    h: 144,
  });
  // Tiny pictures still get a notice that fits.
  assert.deepEqual(new Notice({ width: 10, height: 6 }).rect, { x: 2, y: 0, w: 6, h: 6 });
  assert.throws(() => new Notice({ width: 0, height: 10 }), RangeError);
});

Deno.test("Notice.drawYuyv() darkens its square, draws a light grey icon, and touches nothing else", () => {
  const yuyv = new Uint8Array(SIZE.width * SIZE.height * 2);
  fillYuyv(yuyv, [200, 60, 40]);
  const before = yuyv.slice();
  const notice = new Notice(SIZE);
  notice.drawYuyv(yuyv);
  const { x, y, w, h } = notice.rect;
  const lumaAt = (px: number, py: number): number => yuyv[(py * SIZE.width + px) * 2]!;
  let changedOutside = 0;
  for (let py = 0; py < SIZE.height; py++) {
    for (let px = 0; px < SIZE.width; px++) {
      const inside = px >= x && px < x + w && py >= y && py < y + h;
      const i = (py * SIZE.width + px) * 2;
      if (!inside && (yuyv[i] !== before[i] || yuyv[i + 1] !== before[i + 1])) changedOutside++;
    }
  }
  assert.equal(changedOutside, 0);
  const under = before[0]!;
  // The square beside the camera body (left middle) is darker; the body's middle is light.
  const square = lumaAt(x + Math.round(w * 0.1), y + Math.round(h * 0.5));
  const icon = lumaAt(x + Math.round(w * 0.3), y + Math.round(h * 0.62));
  assert.ok(square < under - 20, `square ${square} under ${under}`);
  assert.ok(icon > 180, `icon ${icon}`);
  // The icon is grey: its chroma neutral.
  const ci = ((y + Math.round(h * 0.62)) * SIZE.width + (x + Math.round(w * 0.3) & ~1)) * 2;
  assert.ok(Math.abs(yuyv[ci + 1]! - 128) <= 8 && Math.abs(yuyv[ci + 3]! - 128) <= 8);
  assert.throws(() => notice.drawYuyv(new Uint8Array(10)), RangeError);
});

Deno.test("Notice.drawFrame() draws what drawYuyv() draws, in every layout", () => {
  const notice = new Notice(SIZE);
  const yuyv = new Uint8Array(SIZE.width * SIZE.height * 2);
  fillYuyv(yuyv, GREY);
  notice.drawYuyv(yuyv);
  const viaYuyv = makeFrame(SIZE, "422");
  yuyvToFrame(yuyv, viaYuyv);
  for (const layout of ["444", "422", "420"] as const) {
    const frame = makeFrame(SIZE, layout === "420" ? "422" : layout);
    frame.layout = layout;
    fillFrame(frame, GREY);
    notice.drawFrame(frame);
    let worst = 0;
    for (let i = 0; i < SIZE.width * SIZE.height; i++) {
      worst = Math.max(worst, Math.abs(frame.y[i]! - viaYuyv.y[i]!));
    }
    assert.ok(worst <= 2, `${layout}: luma within ${worst} of the YUYV notice`);
  }
  assert.throws(() => notice.drawFrame(makeFrame({ width: 8, height: 8 }, "444")), RangeError);
});

Deno.test("fillYuyv() gives what packYuyv() gives for a frame filled with the colour", () => {
  for (const rgb of [GREY, [0, 0, 255], [255, 255, 255], [0, 0, 0]] as const) {
    const frame = makeFrame({ width: 4, height: 2 }, "422");
    fillFrame(frame, rgb);
    const want = new Uint8Array(16);
    packYuyv(frame, want);
    const got = new Uint8Array(16);
    fillYuyv(got, rgb);
    assert.deepEqual(got, want, rgb.join(","));
  }
});
