/**
 * The README's auto-framing pictures: the demo's portrait as a wide 16:9 camera sees a person
 * sitting back from it. The person (and the helmet she holds) is cut out of the demo photo once
 * by the real pipeline and pasted at 75% into a 1280x720 frame of the photo's backdrop colour,
 * the photo's bottom on the frame's, drifting a little sideways over the clip as the demo's
 * portrait sways; the clip goes to a 640x360 output on the demo's studio background, without and
 * with `--frame auto`. The same frame of the clip (the middle one) from each run.
 *
 * Usage: deno run --allow-all scripts/framing_pictures.ts [--out docs]
 *
 * Writes `framing-before.png` and `framing-after.png` (640x360) and prints the crops.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Frame, makeFrame } from "../src/frame/frame.ts";
import type { Rect, Size } from "../src/frame/geometry.ts";
import type { FrameSource } from "../src/frame/stages.ts";
import type { FrameTiming } from "../src/frame/timing.ts";
import { convertFrame, frameToRgb } from "../src/image/planar.ts";
import { writePng } from "../src/image/png.ts";
import { DEMO_BACKGROUND } from "../src/cli/demo.ts";
import { cliStageFactory } from "../src/cli/stage_factory.ts";
import { Pipeline } from "../src/pipeline/loop.ts";
import { defaultSettings, type FrameMode } from "../src/pipeline/settings.ts";
import { MemorySink } from "../tests/fakes/memory_stages.ts";
import { type Cutout, cutOut, paste } from "../tests/_framing_clip.ts";

const { values: args } = parseArgs({ args: Deno.args, options: { out: { type: "string" } } });
const outDir = args.out ?? join(new URL("..", import.meta.url).pathname, "docs");

const CAMERA: Size = { width: 1280, height: 720 };
const OUTPUT: Size = { width: 640, height: 360 };
const FRAMES = 90;
const KEEP = FRAMES / 2;
/** The photo at 75% (384 px of the 720), its bottom on the frame's bottom, a little left of the
 * middle: a person sitting back from a wide camera. */
const SCALE = 0.75;
const AT = { x: 400, y: CAMERA.height - 512 * SCALE };

/** The photo's backdrop colour: the mean of its top row (Y, Cb, Cr). */
function backdrop(photo: Cutout): [number, number, number] {
  const sum = [0, 0, 0];
  for (let x = 0; x < photo.width; x++) {
    sum[0]! += photo.y[x]!;
    sum[1]! += photo.u[x]!;
    sum[2]! += photo.v[x]!;
  }
  return sum.map((s) => Math.round(s / photo.width)) as [number, number, number];
}

/** The wide shot: the photo in a larger frame, drifting sideways and back over the clip. */
class WideShot implements FrameSource {
  readonly size = CAMERA;
  readonly fps = 30;
  readonly description = `the demo portrait at ${
    SCALE * 100
  }% in a ${CAMERA.width}x${CAMERA.height} frame`;
  readonly #photo: Cutout;
  readonly #fill: [number, number, number];
  readonly #scratch = makeFrame(CAMERA, "444");
  #index = 0;

  constructor(photo: Cutout) {
    this.#photo = photo;
    this.#fill = backdrop(photo);
  }

  read(into: Frame, _timing: FrameTiming): Promise<boolean> {
    if (this.#index >= FRAMES) return Promise.resolve(false);
    const f = into.layout === "444" ? into : this.#scratch;
    f.y.fill(this.#fill[0]);
    f.u.fill(this.#fill[1]);
    f.v.fill(this.#fill[2]);
    const drift = 24 * Math.sin((2 * Math.PI * this.#index) / FRAMES);
    paste(this.#photo, { x: AT.x + drift, y: AT.y, scale: SCALE }, f);
    if (f !== into) convertFrame(f, into);
    this.#index++;
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const photo = await cutOut(new URL("../src/demo/astronaut.png", import.meta.url).pathname);
using factory = cliStageFactory({});

/** Runs the clip with framing off or on; returns the kept frame as RGB and its crop. */
async function film(frame: FrameMode): Promise<{ rgb: Uint8Array; crop: Rect }> {
  const rgb = new Uint8Array(OUTPUT.width * OUTPUT.height * 3);
  let crop: Rect | null = null;
  const sink = new MemorySink(OUTPUT, {
    keep: 1,
    onFrame: (f, i) => {
      if (i === KEEP) frameToRgb(f, rgb);
    },
  });
  await using pipeline = await Pipeline.open({
    source: new WideShot(photo),
    sink,
    factory,
    settings: defaultSettings({ background: DEMO_BACKGROUND, frame }),
    mode: "exact",
    onOutput: (o) => {
      if (o.index === KEEP) crop = { ...o.crop };
    },
  });
  await pipeline.run();
  if (crop === null) throw new Error(`The ${frame} run ended before frame ${KEEP}`);
  return { rgb, crop };
}

await Deno.mkdir(outDir, { recursive: true });
for (
  const [name, mode] of [["framing-before.png", "off"], ["framing-after.png", "auto"]] as const
) {
  const { rgb, crop } = await film(mode);
  const path = join(outDir, name);
  await Deno.writeFile(path, writePng({ ...OUTPUT, channels: 3, data: rgb }));
  const r = (v: number): string => v.toFixed(0);
  console.log(
    `${path}: --frame ${mode}, frame ${KEEP} of ${FRAMES}: crop ${r(crop.w)}x${r(crop.h)} at ` +
      `(${r(crop.x)}, ${r(crop.y)}) of the ${CAMERA.width}x${CAMERA.height} camera`,
  );
}
