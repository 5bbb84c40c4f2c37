/**
 * `deno task bench:stages`: what auto-framing costs the loop per frame at 720p (issue 17: well
 * under 0.5 ms). The work is the loop's (see `framing_work.ts`): reading the person from the
 * landscape model's 256x144 map, moving the crop, and pointing the crop-and-scale maps and the
 * mask at it whenever it moved; a person walking (the crop gliding: the dearest case) and a
 * person standing still (the crop still: reading the map is all). Beside it, the crop-and-scale
 * pass auto-framing adds when the camera and the output are one size (otherwise `--vg`'s own
 * crop pass does it at no extra cost), on the WebAssembly kernels, 4:2:2 as the virtual camera.
 */

import { makeFrame } from "../../src/frame/frame.ts";
import { FrameRegionMaps } from "../../src/frame/region.ts";
import { Kernels } from "../../src/kernels/mod.ts";
import { FramingWork, SIZE } from "./framing_work.ts";

const walking = new FramingWork(true);
Deno.bench("framing 720p: observe + step + maps + mask region, walking (crop gliding)", {
  group: "framing 720p",
  baseline: true,
}, () => {
  walking.frame();
});

const still = new FramingWork(false);
Deno.bench("framing 720p: observe + step, standing still (crop still)", {
  group: "framing 720p",
}, () => {
  still.frame();
});

const kernels = Kernels.shared();
const camera = makeFrame(SIZE, "422", kernels.planes);
camera.y.set(camera.y.map((_, i) => (i * 7919) % 251));
const view = makeFrame(SIZE, "422", kernels.planes);
const maps = new FrameRegionMaps(SIZE, { x: 240, y: 126, w: 800, h: 450 }, SIZE);
Deno.bench("framing 720p: the crop-and-scale pass it adds (camera = output size, 4:2:2)", {
  group: "framing 720p",
}, () => {
  kernels.resampleFrame(camera, maps, view);
});
