/**
 * The picture-quality stages in file mode (`-c photo.png -v folder/`), as a user runs them, on
 * real photos of people (../shared/reference/images): the default post-processing (guided
 * upsampling, temporal smoothing, tightening) against the plain bilinear one.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readPng } from "../src/image/png.ts";
import { SHARED } from "./_models.ts";
import { backscrub } from "./_cli.ts";

const KEY = [0x00, 0xb1, 0x40];

/** The alpha each output pixel shows, from the photo, the key colour and the result. */
function alphaOf(
  input: { data: Uint8Array },
  output: { data: Uint8Array },
): Float32Array {
  const alpha = new Float32Array(input.data.length / 3);
  for (let i = 0; i < alpha.length; i++) {
    // The channel where photo and key differ most says it best.
    let best = 0, num = 0;
    for (let c = 0; c < 3; c++) {
      const d = input.data[i * 3 + c]! - KEY[c]!;
      if (Math.abs(d) > Math.abs(best)) {
        best = d;
        num = output.data[i * 3 + c]! - KEY[c]!;
      }
    }
    alpha[i] = Math.abs(best) < 24 ? NaN : Math.min(1, Math.max(0, num / best));
  }
  return alpha;
}

for (const name of ["mpl_grace_hopper", "skimage_astronaut"]) {
  Deno.test(`backscrub -c ${name}.png: the default mask edge is tighter than bilinear`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const photo = join(SHARED, "reference", "images", `${name}.png`);
      const input = readPng(await Deno.readFile(photo));
      const bands: number[] = [];
      for (
        const [sub, extra] of [
          ["ours", []],
          ["plain", ["--upsample", "bilinear", "--smooth", "0", "--tighten", "off"]],
        ] as const
      ) {
        const r = await backscrub(
          "-c",
          photo,
          "-v",
          `${dir}/${sub}/`,
          "-b",
          "#00b140",
          "--frames",
          "3",
          ...extra,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stdout,
          sub === "ours"
            ? /backscrub: mask +guided filter \(auto cells, r1, eps 0\.0025\), smoothing 0\.8, tighten 0\.25-0\.75, no light wrap, soft/
            : /backscrub: mask +bilinear, no smoothing, no tightening, no light wrap, soft/,
        );
        const output = readPng(await Deno.readFile(join(dir, sub, "frame_000003.png")));
        const alpha = alphaOf(input, output);
        let band = 0, person = 0;
        for (const a of alpha) {
          if (a > 0.1 && a < 0.9) band++;
          if (a >= 0.5) person++;
        }
        assert.ok(person > 0.2 * alpha.length, `${sub}: ${person} person pixels`);
        bands.push(band);
      }
      // The soft band around the person is at most 60 % as wide with the defaults.
      assert.ok(bands[0]! < 0.6 * bands[1]!, `band ${bands[0]} vs ${bands[1]} pixels`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("backscrub -d shows the cost of the mask's post-processing stages", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const photo = join(SHARED, "reference", "images", "skimage_astronaut.png");
    const r = await backscrub(
      "-c",
      photo,
      "-v",
      `${dir}/out.y4m`,
      "--light-wrap",
      "0.4",
      "--despill",
      "green",
      "--frames",
      "300", // more than a second of frames: the status line comes once a second
      "-d",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /light wrap 0\.4, soft, despill green/);
    assert.match(
      r.stderr,
      /post [\d.]+ .* \| post: temporal [\d.]+ guide [\d.]+ upsample [\d.]+/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
