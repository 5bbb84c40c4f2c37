import assert from "node:assert/strict";
import { RgbMaskAwareBlur } from "./rgb_blur.ts";

/** FNV-1a of the bytes, as 8 hex digits. */
function digest(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** Width, height, strength, and the digest of `MaskAwareBlur.render()` (RGB) before issue 12. */
const BEFORE: readonly [number, number, number, string][] = [
  [640, 360, 12, "25b4956d"],
  [322, 181, 30, "f35111fb"],
  [97, 55, 5, "e7bea9e7"],
  [1280, 720, 40, "299ff335"],
];

Deno.test("RgbMaskAwareBlur is the RGB blur as it was, byte for byte", () => {
  for (const [width, height, strength, before] of BEFORE) {
    const frame = new Uint8Array(width * height * 3).map((_, i) => (i * 7919) % 251);
    const mask = new Uint8Array(width * height).map((_, i) =>
      i % width > width / 2 ? 255 : (i * 13) % 256
    );
    const blur = new RgbMaskAwareBlur({ width, height, strength });
    const out = blur.render(frame, mask);
    assert.equal(out.length, width * height * 3);
    assert.equal(digest(out), before, `${width}x${height} strength ${strength}`);
    assert.equal(blur.render(frame, mask), out, "the same buffer every call");
  }
});
