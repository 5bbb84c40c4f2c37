/**
 * Fuzz (issue 14): mutated camera JPEG frames through the MJPG path, and mutated PNG and GIF
 * backgrounds through their decoders. Every input is either used, or a counted skip (frames) or
 * a one-line error of the decoder's own kind (pictures): never another exception, never a
 * crash. Seeded: a failure names the case that can be replayed.
 */

import assert from "node:assert/strict";
import { JpegEncoder } from "../ffi/turbojpeg/mod.ts";
import { PIX_FMT } from "../ffi/v4l2/mod.ts";
import { writeGif } from "../src/background/_gif_writer.ts";
import { decodeGif, GifError } from "../src/background/gif.ts";
import { FrameDecoder } from "../src/device/decode.ts";
import { makeFrame } from "../src/frame/frame.ts";
import { readPng, writePng } from "../src/image/png.ts";
import { ImageError } from "../src/image/types.ts";
import { colourBars } from "./fixtures/bars.ts";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation of `bytes`: bit flips, a cut, bytes inserted, a run overwritten, or a mix. */
function mutate(bytes: Uint8Array, rnd: () => number): Uint8Array {
  let out = bytes.slice();
  const kind = Math.floor(rnd() * 5);
  const at = (): number => Math.floor(rnd() * out.length);
  if (kind === 0 || kind === 4) {
    for (let n = 1 + Math.floor(rnd() * 8); n > 0; n--) out[at()]! ^= 1 << Math.floor(rnd() * 8);
  }
  if (kind === 1 || kind === 4) out = out.slice(0, at());
  if (kind === 2) {
    const i = at();
    const extra = Uint8Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => rnd() * 256);
    const grown = new Uint8Array(out.length + extra.length);
    grown.set(out.subarray(0, i));
    grown.set(extra, i);
    grown.set(out.subarray(i), i + extra.length);
    out = grown;
  }
  if (kind === 3) {
    const i = at();
    out.fill(Math.floor(rnd() * 256), i, Math.min(out.length, i + Math.floor(rnd() * 64)));
  }
  return out;
}

Deno.test("fuzz: 5,000 mutated MJPG frames are each decoded or skipped and counted, never a crash", () => {
  const width = 96, height = 64;
  using encoder = new JpegEncoder();
  const seeds = [
    encoder.encode(colourBars(width, height), { width, height, quality: 90, subsampling: "422" }),
    encoder.encode(colourBars(width, height), { width, height, quality: 60, subsampling: "420" }),
  ];
  for (const layout of ["422", "444"] as const) {
    using decoder = new FrameDecoder(
      { width, height, pixelformat: PIX_FMT.MJPEG, bytesperline: 0 },
      {
        layout,
      },
    );
    const frame = makeFrame({ width, height }, layout);
    const rnd = random(layout === "422" ? 1 : 2);
    let used = 0;
    const n = 2500;
    for (let i = 0; i < n; i++) {
      const input = mutate(seeds[i % 2]!, rnd);
      let ok: boolean;
      try {
        ok = decoder.decode(input, frame);
      } catch (error) {
        throw new Error(`case ${layout}/${i}: ${(error as Error).message}`, { cause: error });
      }
      if (ok) used++;
    }
    // Every frame was used or skipped, and every skip was counted (and said in one line).
    assert.equal(used + decoder.stats.skipped, n, layout);
    assert.ok(decoder.stats.skipped > n / 10, `${decoder.stats.skipped} skipped`);
    assert.ok(!decoder.stats.lastWarning!.includes("\n"));
    // And the decoder still decodes a good frame afterwards.
    assert.equal(decoder.decode(seeds[0]!, frame), true);
  }
});

Deno.test("fuzz: 1,500 mutated PNG and GIF backgrounds each decode or fail in one line", () => {
  const rgb = colourBars(48, 32);
  const png = writePng({ width: 48, height: 32, channels: 3, data: rgb });
  const palette = new Uint8Array(16 * 3).map((_, i) => (i * 37) & 0xff);
  const indices = new Uint8Array(48 * 32).map((_, i) => (i >> 3) % 16);
  const gif = writeGif({
    width: 48,
    height: 32,
    palette,
    frames: [{ indices }, { indices: indices.map((v) => 15 - v), delayCs: 10 }],
    loopCount: 0,
  });
  const rnd = random(3);
  const outcomes = { png: [0, 0], gif: [0, 0] };
  for (let i = 0; i < 750; i++) {
    for (
      const [name, bytes, decode, kind] of [
        ["png", png, readPng, ImageError],
        ["gif", gif, decodeGif, GifError],
      ] as const
    ) {
      const input = mutate(bytes, rnd);
      try {
        (decode as (b: Uint8Array) => unknown)(input);
        outcomes[name][0]!++;
      } catch (error) {
        assert.ok(
          error instanceof kind,
          `case ${name}/${i}: ${(error as Error)?.constructor?.name}: ${(error as Error).message}`,
        );
        assert.ok(!(error as Error).message.includes("\n"), `case ${name}/${i}: one line`);
        outcomes[name][1]!++;
      }
    }
  }
  assert.ok(outcomes.png[1]! > 100 && outcomes.gif[1]! > 100, JSON.stringify(outcomes));
});
