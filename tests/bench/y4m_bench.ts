/**
 * `deno bench --allow-all tests/bench/y4m_bench.ts`: what the y4m file edges cost per frame at 720p
 * (`src/io/_yuv_planes.ts`). Reading: a frame's limited-range planes (4:2:0, the usual file; 4:2:2;
 * 4:4:4) into the `"444"` frame of file mode (the source's `decode` stage), and 4:2:0 into the
 * `"422"` frame of a file feeding the virtual camera. Writing: a `"444"` frame to `C420mpeg2` or
 * `C444` planes (the sink's `convert` stage). Buffers are made once, outside the measured
 * functions, as the pipeline does.
 *
 * @module
 */

import { makeFrame } from "../../src/frame/frame.ts";
import { frameToPlanes, planeSizes, planesToFrame } from "../../src/io/_yuv_planes.ts";

const width = 1280;
const height = 720;
const size = { width, height };

/**
 * Smooth planes with some noise, in the limited range (Y 16…235, C 16…240), so that neither data
 * nor branches are uniform; `overshoot` puts that share of the chroma samples out of the range
 * (as ffmpeg's own 4:2:0 does at sharp colour edges; those pixels are redone through RGB).
 */
function planes(subsampling: "420" | "422" | "444", overshoot = 0): Uint8Array {
  const sizes = planeSizes({ width, height, subsampling });
  const out = new Uint8Array(sizes.total);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) out[i] = 16 + ((x + y) * 206 / (width + height) + i % 13);
  }
  const { chromaWidth: cw, chromaHeight: ch, chroma } = sizes;
  for (let y = 0, i = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++, i++) {
      out[sizes.luma + i] = 16 + (x * 214 / cw + i % 11);
      out[sizes.luma + chroma + i] = 16 + (y * 218 / ch + i % 7);
    }
  }
  const step = Math.round(1 / overshoot);
  for (let i = 0; overshoot > 0 && i < chroma; i += step) out[sizes.luma + i] = i % 2 ? 250 : 6;
  return out;
}

const read = "read y4m 720p";
const f444 = makeFrame(size, "444");
const f422 = makeFrame(size, "422");
for (const subsampling of ["420", "422", "444"] as const) {
  const input = planes(subsampling);
  const options = { width, height, subsampling };
  Deno.bench(
    `${subsampling} → "444" frame`,
    { group: read, baseline: subsampling === "420" },
    () => {
      planesToFrame(input, options, f444);
    },
  );
}
{
  const input = planes("420", 0.01);
  const options = { width, height, subsampling: "420" as const };
  Deno.bench(`420 → "444" frame, 1 % of Cb out of range`, { group: read }, () => {
    planesToFrame(input, options, f444);
  });
}
{
  const input = planes("420");
  const options = { width, height, subsampling: "420" as const };
  Deno.bench(`420 → "422" frame (virtual camera)`, { group: read }, () => {
    planesToFrame(input, options, f422);
  });
}

const write = "write y4m 720p";
planesToFrame(planes("420"), { width, height, subsampling: "420" }, f444);
const out420 = new Uint8Array(planeSizes({ width, height, subsampling: "420" }).total);
const out444 = new Uint8Array(planeSizes({ width, height, subsampling: "444" }).total);
Deno.bench(`"444" frame → C420mpeg2`, { group: write, baseline: true }, () => {
  frameToPlanes(f444, out420, "420");
});
Deno.bench(`"444" frame → C444`, { group: write }, () => {
  frameToPlanes(f444, out444, "444");
});
