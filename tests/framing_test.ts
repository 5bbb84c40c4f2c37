/**
 * Auto-framing through the real pipeline: synthetic 720p clips of a real person photo (cut out
 * once by the real model) on a textured wall — walking across, stepping closer, leaving, standing
 * still — run in exact mode (the file modes: the framer's clock is the frame count over the rate,
 * so every run is the same) with the real model on ONNX Runtime, the real mask and compositor.
 *
 * Every frame the test reads the crop the loop reports (`OutputView.crop`) and checks that it is
 * the crop shown: the loop's cropped camera picture is the test's own crop-and-scale of the same
 * camera frame with that crop, byte for byte; the composite shows it wherever the mask is
 * opaque; and the mask follows it (it covers where the pasted person lands in the output). From
 * the crop and the paste, the test knows where the person's head is in every output frame.
 */

import assert from "node:assert/strict";
import { type Frame, makeFrame } from "../src/frame/frame.ts";
import type { Rect, Size } from "../src/frame/geometry.ts";
import { FrameRegionMaps, resampleFrame } from "../src/frame/region.ts";
import type { PackedSink, PlanarSink } from "../src/frame/stages.ts";
import { convertFrame } from "../src/image/planar.ts";
import {
  DEAD_ZONE,
  HEADROOM,
  LOST_AFTER,
  MAX_SPEED,
  MAX_ZOOM_SPEED,
} from "../src/framing/operator.ts";
import { type OutputView, Pipeline } from "../src/pipeline/loop.ts";
import { defaultSettings } from "../src/pipeline/settings.ts";
import { cliStageFactory } from "../src/cli/stage_factory.ts";
import { MemorySink, MemoryYuyvSink } from "./fakes/memory_stages.ts";
import {
  ClipSource,
  type Cutout,
  cutOut,
  headAt,
  headIn,
  type Placement,
  wall,
} from "./_framing_clip.ts";

const W = 1280, H = 720;
const SIZE: Size = { width: W, height: H };
const FPS = 30;
const ZOOM = 1.6;
/**
 * "A few pixels a frame": the most any point of the picture may move from one frame to the next,
 * in output pixels, from the operator's caps (shares of the crop's own height a second, so the
 * same at any zoom): the centre MAX_SPEED of the output's height along each axis, and the far
 * corner half the size's change (MAX_ZOOM_SPEED) of the output's width and height more: 8.1 px
 * along x and 7.2 along y a frame at 720p30, 10.9 px in all (measured at most 8.3).
 */
const STEP = (1 / FPS) *
  Math.hypot(MAX_SPEED * H + (MAX_ZOOM_SPEED / 2) * W, MAX_SPEED * H + (MAX_ZOOM_SPEED / 2) * H);

let cutout: Promise<Cutout> | null = null;
/** The person, cut out once per test run. */
function person(): Promise<Cutout> {
  return cutout ??= cutOut();
}

/** One output frame, as the test saw it. */
interface Shot {
  crop: Rect;
  /** Where the person is in the camera frame (null: out of the picture). */
  place: Placement | null;
  /** Whether the loop's view is the test's crop of the camera frame, byte for byte. */
  viewExact: boolean;
  /** Output pixels the mask calls opaque where the composite differs from the view. */
  compositeOff: number;
  /** Intersection over union of the mask (≥ 50%) and the pasted person (≥ 50%), on a grid. */
  iou: number;
}

/** What a clip run gives. */
interface Run {
  shots: Shot[];
  /** Output frames (copies of the luma planes), when kept. */
  lumas: Uint8Array[];
}

/**
 * Runs a clip through the real pipeline with auto-framing on.
 *
 * @param place where the person is in frame i
 * @param frames the clip's length
 * @param options background, sink kind, whether to keep the output luma planes
 */
async function film(
  place: (c: Cutout, i: number) => Placement | null,
  frames: number,
  options: { background?: string; yuyv?: boolean; keepLuma?: boolean } = {},
): Promise<Run> {
  const c = await person();
  const source = new ClipSource(c, wall(SIZE), (i) => place(c, i), { frames, fps: FPS });
  const shots: Shot[] = [];
  const lumas: Uint8Array[] = [];
  // The test's own crop-and-scale of the camera frame, to compare with the loop's.
  const camera = makeFrame(SIZE, "444");
  const camera422 = makeFrame(SIZE, "422");
  const maps = new FrameRegionMaps(SIZE, { x: 0, y: 0, w: W, h: H }, SIZE);
  const mine = { "444": makeFrame(SIZE, "444"), "422": makeFrame(SIZE, "422") };
  const sink: PlanarSink | PackedSink = options.yuyv
    ? new MemoryYuyvSink(SIZE, { keep: 1 })
    : new MemorySink(SIZE, { keep: 1 });
  const onOutput = (o: OutputView): void => {
    const i = o.index;
    const crop = { ...o.crop };
    const p = place(c, i);
    source.draw(i, camera);
    let src: Frame = camera;
    if (o.camera.layout !== "444") {
      convertFrame(camera, camera422);
      src = camera422;
    }
    maps.update(crop);
    const view = mine[o.camera.layout === "444" ? "444" : "422"];
    resampleFrame(src, maps, view);
    const viewExact = equalPlanes(view, o.camera);
    // Where the mask is opaque the composite is the view (files only: 4:4:4 planes).
    let compositeOff = 0;
    if (o.frame !== null) {
      for (let k = 0; k < W * H; k++) {
        if (o.alpha[k] === 255 && o.frame.y[k] !== o.camera.y[k]) compositeOff++;
      }
    }
    shots.push({ crop, place: p, viewExact, compositeOff, iou: overlap(c, p, crop, o.alpha) });
    if (options.keepLuma) lumas.push((o.frame?.y ?? o.camera.y).slice(0, W * H));
  };
  using factory = cliStageFactory({});
  {
    await using pipeline = await Pipeline.open({
      source,
      sink,
      factory,
      settings: defaultSettings({
        background: options.background ?? "#00b140",
        frame: "auto",
        frameZoom: ZOOM,
      }),
      mode: "exact",
      onOutput,
    });
    await pipeline.run();
  }
  assert.equal(shots.length, frames);
  return { shots, lumas };
}

function equalPlanes(a: Frame, b: Frame): boolean {
  if (a.layout !== b.layout) return false;
  const n = W * H, cn = a.layout === "444" ? n : n / 2;
  for (let k = 0; k < n; k++) if (a.y[k] !== b.y[k]) return false;
  for (let k = 0; k < cn; k++) if (a.u[k] !== b.u[k] || a.v[k] !== b.v[k]) return false;
  return true;
}

/**
 * How well the mask covers the pasted person in the output: on a grid of every 4th output pixel,
 * person where the cutout's alpha (mapped through paste and crop) is ≥ 50%, mask where the
 * output's alpha is. 1 when nobody is in view and the mask is empty.
 */
function overlap(c: Cutout, p: Placement | null, crop: Rect, alpha: Uint8Array): number {
  let both = 0, either = 0;
  for (let v = 2; v < H; v += 4) {
    for (let u = 2; u < W; u += 4) {
      const mask = alpha[v * W + u]! >= 128;
      let truth = false;
      if (p !== null) {
        // The camera point this output pixel shows, then the cutout pixel pasted there.
        const X = crop.x + ((u + 0.5) * crop.w) / W, Y = crop.y + ((v + 0.5) * crop.h) / H;
        const cx = Math.floor((X - p.x) / p.scale);
        const cy = Math.min(c.height - 1, Math.floor((Y - p.y) / p.scale));
        truth = cx >= 0 && cx < c.width && cy >= 0 && c.alpha[cy * c.width + cx]! >= 128;
      }
      if (mask && truth) both++;
      if (mask || truth) either++;
    }
  }
  return either === 0 ? 1 : both / either;
}

/** The head in the output: top, centre, left and right edges of its widest part, output px. */
function headOut(c: Cutout, s: Shot): { top: number; centre: number; height: number } | null {
  if (s.place === null) return null;
  const h = headIn(c, s.place);
  return {
    top: ((h.top - s.crop.y) * H) / s.crop.h,
    centre: ((h.centre - s.crop.x) * W) / s.crop.w,
    height: (h.head * H) / s.crop.h,
  };
}

/** How far the output's corners move between two crops, output pixels (the most of any point). */
function motion(a: Rect, b: Rect): number {
  let most = 0;
  for (const [u, v] of [[0, 0], [W, 0], [0, H], [W, H]] as const) {
    const X = a.x + (u * a.w) / W, Y = a.y + (v * a.h) / H;
    const u2 = ((X - b.x) * W) / b.w, v2 = ((Y - b.y) * H) / b.h;
    most = Math.max(most, Math.hypot(u2 - u, v2 - v));
  }
  return most;
}

/**
 * The checks every clip passes: the crop shown is the crop reported, inside the camera frame, at
 * the output's aspect, never zoomed in beyond the limit, moving a few pixels a frame at most, and
 * the mask following it (checked in the frames `iouFrom` picks: a person half out of the picture
 * is not always seen).
 */
function checkEveryFrame(run: Run, iouFrom: (s: Shot) => boolean = () => true): void {
  const { shots } = run;
  let worstMotion = 0, at = -1;
  for (const [i, s] of shots.entries()) {
    const c = s.crop;
    assert.ok(
      s.viewExact,
      `frame ${i}: the loop's view is not the reported crop ${JSON.stringify(c)}`,
    );
    assert.equal(s.compositeOff, 0, `frame ${i}: the composite is not the view under the mask`);
    assert.ok(
      c.x >= 0 && c.y >= 0 && c.x + c.w <= W + 1e-6 && c.y + c.h <= H + 1e-6,
      `frame ${i}: the crop ${JSON.stringify(c)} leaves the camera frame`,
    );
    assert.ok(Math.abs(c.w / c.h - W / H) < 1e-9, `frame ${i}: aspect ${c.w / c.h}`);
    assert.ok(c.h >= H / ZOOM - 1e-6, `frame ${i}: zoomed in ${H / c.h}x`);
    if (iouFrom(s)) {
      assert.ok(s.iou >= 0.9, `frame ${i}: the mask covers the person with IoU ${s.iou}`);
    }
    if (i > 0) {
      const m = motion(shots[i - 1]!.crop, c);
      if (m > worstMotion) [worstMotion, at] = [m, i];
    }
  }
  assert.ok(worstMotion <= STEP, `frame ${at}: the picture moved ${worstMotion.toFixed(1)} px`);
}

/** Seconds → frame index. */
const f = (seconds: number): number => Math.round(seconds * FPS);

/** Target: the head's top HEADROOM below the output's top edge; the dead zone either side. */
const TOP_BAND = [(HEADROOM - DEAD_ZONE) * H, (HEADROOM + DEAD_ZONE) * H] as const;

Deno.test("auto-framing follows a person walking across: head composed, the picture gliding", async () => {
  // Head at x 300 for a second, then walking to x 860 over 5 s (112 px/s), then still for 4 s.
  const place = (c: Cutout, i: number) => {
    const k = Math.min(1, Math.max(0, (i / FPS - 1) / 5));
    return headAt(c, 300 + 560 * k, 150, 0.6);
  };
  const run = await film(place, f(10));
  checkEveryFrame(run);
  const c = await person();
  for (const [i, s] of run.shots.entries()) {
    const head = headOut(c, s)!;
    // Framed from the first frame: zoomed in (the person is small) with the head composed.
    assert.ok(
      head.top >= TOP_BAND[0] && head.top <= TOP_BAND[1],
      `frame ${i}: head top ${head.top}`,
    );
    // Never far from the middle while walking (the dead zone, the patience and the glide lag)...
    assert.ok(Math.abs(head.centre - W / 2) <= 0.2 * W, `frame ${i}: head at ${head.centre}`);
    assert.ok(s.crop.h <= H / 1.4, `frame ${i}: zoom ${H / s.crop.h}`);
  }
  // ... and in the middle once the person stands still (within the dead zone).
  for (const [i, s] of run.shots.entries()) {
    const centre = headOut(c, s)!.centre;
    if (i >= f(9)) assert.ok(Math.abs(centre - W / 2) <= DEAD_ZONE * W, `frame ${i}: ${centre}`);
  }
  // The whole picture would not do: the head's top 150 px down.
  const base = { ...run.shots[0]!, crop: { x: 0, y: 0, w: W, h: H } };
  assert.ok(headOut(c, base)!.top > TOP_BAND[1]);
});

Deno.test("auto-framing follows a person stepping closer: the crop widens, the head stays in", async () => {
  // Far (scale 0.45) for a second, then closer over 5 s (scale 1: the head twice as tall, its top
  // 120 px higher, as when walking up to a camera at eye height), then still for 3 s.
  const place = (c: Cutout, i: number) => {
    const k = Math.min(1, Math.max(0, (i / FPS - 1) / 5));
    return headAt(c, 560, 260 - 120 * k, 0.45 + 0.55 * k);
  };
  const run = await film(place, f(9));
  checkEveryFrame(run);
  const c = await person();
  const heads = run.shots.map((s) => headOut(c, s)!);
  // Far: zoomed in to the most; near: the crop has widened, so the head grew less in the output
  // than in the camera (2.2x; at the far end the zoom limit kept it smaller than composed).
  assert.equal(run.shots[0]!.crop.h, H / ZOOM);
  const end = run.shots.at(-1)!;
  assert.ok(end.crop.h > H / 1.2, `zoom ${H / end.crop.h} at the end`);
  const ratio = heads.at(-1)!.height / heads[0]!.height;
  assert.ok(ratio > 1 && ratio < 1.7, `the head grew ${ratio}x in the output (2.2x in the camera)`);
  assert.ok(heads.at(-1)!.top >= TOP_BAND[0] && heads.at(-1)!.top <= TOP_BAND[1]);
  // In every frame the whole head is in the picture: its top below the output's top edge.
  const cut = heads.map((h, i) => [i, h.top] as const).filter(([, top]) => top < 0);
  assert.deepEqual(
    cut.map(([i]) => i),
    [],
    `the head's top is out of the picture in ${cut.length} frames (frames ${cut[0]?.[0]} … ${
      cut.at(-1)?.[0]
    }, up to ${Math.round(-Math.min(...cut.map(([, t]) => t)))} px above it)`,
  );
});

Deno.test("auto-framing after the person leaves: still for LOST_AFTER, then slowly the whole picture", async () => {
  // Still for 2 s, walking out to the right over 3 s (300 px/s), then nobody for 16 s (the way
  // home takes about 13 s to end exactly: its last seconds move by less than a pixel).
  const gone = 5;
  const place = (c: Cutout, i: number) => {
    const k = Math.max(0, (i / FPS - 2) / 3);
    return k > 1 ? null : headAt(c, 640 + 900 * k, 150, 0.6);
  };
  const run = await film(place, f(gone + 16));
  // The mask is checked while the head is in the camera frame (a sliver of a body is no person).
  const c = await person();
  checkEveryFrame(run, (s) => s.place !== null && headIn(c, s.place).centre < W);
  const shots = run.shots;
  const empty = shots.findIndex((s) => s.place === null);
  assert.equal(empty, f(gone) + 1);
  // No widening for LOST_AFTER after the person left (the glide after them may end meanwhile);
  // the model loses them between the head leaving the camera frame and the last sliver leaving.
  const headGone = shots.findIndex((s) => s.place === null || headIn(c, s.place).centre >= W);
  const widens = shots.findIndex((s, i) => i > 0 && s.crop.h > shots[i - 1]!.crop.h);
  assert.ok(
    widens >= headGone + f(LOST_AFTER) - 1 && widens <= empty + f(LOST_AFTER) + 1,
    `widening from frame ${widens}; the head left at ${headGone}, the body at ${empty}`,
  );
  // Then it widens, never narrowing again, and is the whole picture by the end.
  let widening = 0;
  for (let i = widens; i < shots.length; i++) {
    const a = shots[i - 1]!.crop.h, b = shots[i]!.crop.h;
    assert.ok(b >= a, `frame ${i}: the crop narrowed ${a} → ${b}`);
    if (b > a) widening++;
  }
  assert.deepEqual(shots.at(-1)!.crop, { x: 0, y: 0, w: W, h: H });
  // Slowly: seconds of widening, not a cut.
  assert.ok(widening >= 3 * FPS, `widened over ${widening} frames`);
});

Deno.test("auto-framing holds a still person's picture exactly still (jitter 0)", async () => {
  // Swaying a few pixels (breathing, small moves): the crop is the same numbers in every frame.
  const sway = (c: Cutout, i: number) =>
    headAt(c, 700 + 4 * Math.sin(i / 7), 160 + 3 * Math.sin(i / 11), 0.6 + 0.005 * Math.sin(i / 5));
  const swaying = await film(sway, f(5));
  checkEveryFrame(swaying);
  const first = swaying.shots[0]!.crop;
  assert.notDeepEqual(first, { x: 0, y: 0, w: W, h: H });
  for (const [i, s] of swaying.shots.entries()) assert.deepEqual(s.crop, first, `frame ${i}`);
  // Perfectly still: after the first second every output frame is the previous one, byte for
  // byte (the crop, the mask and the composite all settled).
  const still = await film((c) => headAt(c, 700, 160, 0.6), f(4), { keepLuma: true });
  checkEveryFrame(still);
  for (let i = f(1); i < still.lumas.length; i++) {
    assert.deepEqual(still.lumas[i], still.lumas[i - 1], `frame ${i} differs from frame ${i - 1}`);
  }
});

Deno.test("auto-framing into the virtual camera (4:2:2, YUYV): the view is the reported crop", async () => {
  const place = (c: Cutout, i: number) => {
    const k = Math.min(1, Math.max(0, (i / FPS - 0.5) / 2));
    return headAt(c, 400 + 400 * k, 200 - 60 * k, 0.5 + 0.2 * k);
  };
  const run = await film(place, f(4), { yuyv: true });
  checkEveryFrame(run);
  assert.ok(run.shots.some((s, i) => i > 0 && motion(run.shots[i - 1]!.crop, s.crop) > 0));
});
