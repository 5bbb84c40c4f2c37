import assert from "node:assert/strict";
import type { Rect, Size } from "../frame/geometry.ts";
import {
  CameraOperator,
  DEAD_ZONE,
  HEADROOM,
  LOST_AFTER,
  MAX_SPEED,
  MAX_ZOOM_SPEED,
  PATIENCE,
  SPAN,
} from "./operator.ts";
import type { Subject } from "./subject.ts";

const FPS = 30;
const DT = 1 / FPS;
/** A 720p camera into a 720p output: the base crop is the whole picture. */
const BASE: Rect = { x: 0, y: 0, w: 1280, h: 720 };
const ASPECT = 16 / 9;
/** The most zoom in these tests (the product's default). */
const ZOOM = 1.6;

/** A subject in view. */
function at(centre: number, top: number, shoulders: number): Subject {
  return { found: true, top, shoulders, centre, width: 300, area: 0.1 };
}

const NOBODY: Subject = { found: false, top: 0, shoulders: 0, centre: 0, width: 0, area: 0 };

/** Where a camera operator puts the crop for `s` (the module's composition, written out). */
function composed(s: Subject, base = BASE, bounds: Size = { width: 1280, height: 720 }): Rect {
  const aspect = base.w / base.h;
  const h = Math.min(base.h, Math.max(base.h / ZOOM, SPAN * (s.shoulders - s.top)));
  const w = h * aspect;
  const x = Math.min(bounds.width - w, Math.max(0, s.centre - w / 2));
  const y = Math.min(bounds.height - h, Math.max(0, s.top - HEADROOM * h));
  return { x, y, w, h };
}

/** A tiny seeded generator (mulberry32): the same noise every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the operator at 30 fps: for frame i (from `first`) it observes `subject(i)` (null: no new
 * look this frame) and steps; returns copies of the crops.
 */
function film(
  op: CameraOperator,
  frames: number,
  subject: (i: number) => Subject | null,
  first = 0,
): Rect[] {
  const crops: Rect[] = [];
  for (let i = first; i < first + frames; i++) {
    const s = subject(i);
    if (s !== null) op.observe(s, i * DT);
    crops.push({ ...op.step(i * DT) });
  }
  return crops;
}

/** Asserts two rectangles equal to a millionth of a pixel (the operator works in centres). */
function assertNear(actual: Rect | undefined, expected: Rect, message?: string): void {
  assert.ok(actual !== undefined);
  for (const k of ["x", "y", "w", "h"] as const) {
    assert.ok(
      Math.abs(actual[k] - expected[k]) < 1e-6,
      `${message ?? ""} ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`,
    );
  }
}

const centreOf = (r: Rect): [number, number, number] => [r.x + r.w / 2, r.y + r.h / 2, r.h];

Deno.test("CameraOperator places the first frame at once, head and shoulders composed", () => {
  // Far from the camera (head top to shoulders 150 px): the most zoom, 1.6x.
  const far = at(800, 200, 350);
  const op = new CameraOperator(BASE, ZOOM);
  op.observe(far, 0);
  const crop = op.step(0);
  assert.deepEqual({ ...crop }, { x: 400, y: 200 - HEADROOM * 450, w: 800, h: 450 });
  assert.equal(op.atBase, false);
  // Nearer (250 px): the crop is SPAN times that tall, the head top HEADROOM below its top edge.
  const near = new CameraOperator(BASE, ZOOM);
  near.observe(at(640, 150, 400), 0);
  const c = near.step(0);
  assert.equal(c.h, SPAN * 250);
  assert.equal(c.w, SPAN * 250 * ASPECT);
  assert.equal(c.y, 150 - HEADROOM * c.h);
  assert.equal(c.x + c.w / 2, 640);
  // Nobody on the first frame: the whole picture.
  const empty = new CameraOperator(BASE, ZOOM);
  empty.observe(NOBODY, 0);
  assert.deepEqual({ ...empty.step(0) }, BASE);
  assert.equal(empty.atBase, true);
});

Deno.test("CameraOperator holds the crop exactly still for a subject moving inside the dead zone", () => {
  for (
    const [name, centre, top, shoulders] of [
      ["zoomed in to the most", 700, 220, 360],
      ["sized by the subject", 640, 150, 400],
    ] as const
  ) {
    const op = new CameraOperator(BASE, ZOOM);
    const crop = composed(at(centre, top, shoulders));
    const rnd = random(17);
    // Sway, nods and the model's own noise: up to 85% of the dead zone on each axis, every frame.
    const dx = 0.85 * DEAD_ZONE * crop.w, dy = 0.85 * DEAD_ZONE * crop.h;
    // The span changes the size: keep its noise inside the size's dead zone (1.5 × DEAD_ZONE).
    const ds = Math.min(dy, (0.85 * 1.5 * DEAD_ZONE * crop.h) / SPAN / 2);
    const crops = film(op, 300, (i) => {
      if (i === 0) return at(centre, top, shoulders);
      const t = top + (rnd() * 2 - 1) * ds;
      return at(centre + (rnd() * 2 - 1) * dx, t, shoulders + (rnd() * 2 - 1) * ds);
    });
    for (let i = 0; i < crops.length; i++) assert.deepEqual(crops[i], crop, `${name}: frame ${i}`);
    assert.equal(op.moved, false);
  }
});

Deno.test("CameraOperator glides to a subject that moved: capped, monotone, never past the goal", () => {
  const from = at(400, 220, 360);
  // The subject moves right and down and steps closer (the crop grows), every axis beyond its
  // dead zone, the head still well inside the picture (at its edge the crop would set off at
  // once: URGENT).
  const to = at(700, 280, 520);
  const goal = centreOf(composed(to));
  const start = centreOf(composed(from));
  const op = new CameraOperator(BASE, ZOOM);
  film(op, 30, () => from);
  const crops = film(op, 300, () => to, 30);
  // Patient: not a pixel before PATIENCE has passed, then on its way.
  const firstMove = crops.findIndex((c) => centreOf(c)[0] !== start[0]);
  // (Frame k after the move is seen k/30 s later; a frame either way for the clock's rounding.)
  assert.ok(Math.abs(firstMove - PATIENCE * FPS) <= 1, `first move at frame ${firstMove}`);
  // The caps per axis (per step), in what the viewer sees: MAX_SPEED of the crop's height a
  // second along x and y, MAX_ZOOM_SPEED of it for the size (the crop's height before the step).
  const caps = (h: number) => [MAX_SPEED * h * DT, MAX_SPEED * h * DT, MAX_ZOOM_SPEED * h * DT];
  let prev = start;
  let fastest = 0;
  for (const [i, c] of crops.entries()) {
    const now = centreOf(c);
    const cap = caps(prev[2]!);
    fastest = Math.max(fastest, (now[0]! - prev[0]!) / cap[0]!);
    for (let a = 0; a < 3; a++) {
      const step = now[a]! - prev[a]!;
      const dir = Math.sign(goal[a]! - start[a]!);
      assert.ok(step * dir >= 0, `frame ${i}, axis ${a}: backwards (${step})`);
      assert.ok(Math.abs(step) <= cap[a]! + 1e-9, `frame ${i}, axis ${a}: ${step} > ${cap[a]}`);
      assert.ok((goal[a]! - now[a]!) * dir >= 0, `frame ${i}, axis ${a}: past the goal`);
    }
    assert.ok(Math.abs(c.w / c.h - ASPECT) < 1e-12);
    prev = now;
  }
  // It arrives, exactly, and stops.
  assertNear(crops.at(-1), composed(to));
  assert.equal(op.moved, false);
  // It did move at its top speed for a while (the cap is what bounds it, not a slow spring).
  assert.ok(fastest > 0.99, `fastest ${fastest} of the cap`);
});

Deno.test("CameraOperator keeps still through excursions shorter than PATIENCE", () => {
  const home = at(640, 200, 350);
  const away = at(900, 200, 350); // far out of the dead zone, the head still in the picture
  const op = new CameraOperator(BASE, ZOOM);
  const short = Math.floor(PATIENCE * FPS) - 1; // 14 frames: 0.47 s
  const crops = film(op, 240, (i) => {
    // Out for 14 frames, back for 16, four times: a gesture, a look aside.
    const k = i - 30;
    return k >= 0 && k < 120 && k % 30 < short ? away : home;
  });
  for (const [i, c] of crops.entries()) assert.deepEqual(c, crops[0], `frame ${i}`);
  // A longer one is followed (the patience is what held it).
  const longer = film(op, 60, () => away, 240);
  assert.notDeepEqual(longer.at(-1), crops[0]);
});

Deno.test("CameraOperator waits LOST_AFTER with nobody in view, then glides slowly to the whole picture", () => {
  const s = at(900, 240, 380);
  const op = new CameraOperator(BASE, ZOOM);
  const framed = film(op, 30, () => s).at(-1)!;
  // Nobody for a moment shorter than LOST_AFTER (the model missed them): nothing moves.
  const blink = film(op, Math.floor(LOST_AFTER * FPS) - 2, () => NOBODY, 30);
  for (const c of blink) assert.deepEqual(c, framed);
  film(op, 30, () => s, 30 + blink.length);
  // Nobody for good.
  const first = 30 + blink.length + 30;
  const crops = film(op, 900, () => NOBODY, first);
  // Still for LOST_AFTER (a frame either way for the clock's rounding), then on its way.
  const still = Math.round(LOST_AFTER * FPS);
  for (let i = 0; i < still - 1; i++) {
    assert.deepEqual(crops[i], framed, `frame ${i} after leaving`);
  }
  assert.notDeepEqual(crops[still + 1], framed);
  // Half speed on the way home, monotone, never past the whole picture.
  const goal = centreOf(BASE);
  const start = centreOf(framed);
  for (let i = 1; i < crops.length; i++) {
    const a = centreOf(crops[i - 1]!), b = centreOf(crops[i]!);
    const h = a[2]!;
    const caps = [
      0.5 * MAX_SPEED * h * DT,
      0.5 * MAX_SPEED * h * DT,
      0.5 * MAX_ZOOM_SPEED * h * DT,
    ];
    for (let k = 0; k < 3; k++) {
      const dir = Math.sign(goal[k]! - start[k]!);
      assert.ok(Math.abs(b[k]! - a[k]!) <= caps[k]! + 1e-9, `frame ${i}, axis ${k}`);
      assert.ok((b[k]! - a[k]!) * dir >= 0, `frame ${i}, axis ${k}: backwards`);
      assert.ok((goal[k]! - b[k]!) * dir >= 0, `frame ${i}, axis ${k}: past the goal`);
    }
  }
  // Slowly: from 1.6x to 1x takes seconds, not a cut.
  const back = crops.findIndex((c) => c.h === BASE.h);
  assert.ok(back > still + 3 * FPS, `whole height after ${back} frames`);
  assert.deepEqual(crops.at(-1), BASE);
  assert.equal(op.atBase, true);
  // Somebody again: followed at once (gliding), without waiting for PATIENCE.
  const again = film(op, 3, () => at(300, 200, 340), first + 900);
  assert.notDeepEqual(again[1], BASE);
});

Deno.test("CameraOperator keeps the crop inside the camera picture at the output's aspect", () => {
  const cases: { name: string; camera: Size; output: Size }[] = [
    {
      name: "16:9 camera, 16:9 output",
      camera: { width: 1280, height: 720 },
      output: { width: 1280, height: 720 },
    },
    {
      name: "4:3 camera, 16:9 output",
      camera: { width: 640, height: 480 },
      output: { width: 1280, height: 720 },
    },
    {
      name: "16:9 camera, 4:3 output",
      camera: { width: 1280, height: 720 },
      output: { width: 640, height: 480 },
    },
  ];
  for (const { name, camera, output } of cases) {
    const scale = Math.max(output.width / camera.width, output.height / camera.height);
    const w = output.width / scale, h = output.height / scale;
    const base = { x: (camera.width - w) / 2, y: (camera.height - h) / 2, w, h };
    const op = new CameraOperator(base, 2.5, true, camera);
    const rnd = random(5);
    let s = at(camera.width / 2, camera.height / 4, camera.height / 2);
    let t = 0;
    let above = false;
    for (let i = 0; i < 3000; i++) {
      // A restless subject: anywhere, edges and beyond included, sometimes gone, sometimes
      // jumping; the frame rate uneven.
      if (rnd() < 0.02) {
        const top = (rnd() * 1.2 - 0.1) * camera.height;
        s = at((rnd() * 1.4 - 0.2) * camera.width, top, top + rnd() * camera.height);
      }
      t += rnd() < 0.01 ? 0.4 : DT * (0.5 + rnd());
      op.observe(rnd() < 0.05 ? NOBODY : s, t);
      const c = op.step(t);
      const where = `${name}, step ${i}: ${JSON.stringify(c)}`;
      assert.ok(c.x >= 0 && c.y >= 0, where);
      assert.ok(c.x + c.w <= camera.width + 1e-9 && c.y + c.h <= camera.height + 1e-9, where);
      assert.ok(Math.abs(c.w / c.h - base.w / base.h) < 1e-9, where);
      assert.ok(c.h <= base.h + 1e-9 && c.h >= base.h / 2.5 - 1e-9, where);
      if (c.y < base.y - 1) above = true;
    }
    // A 4:3 camera into 16:9: the crop goes where the centred crop cannot (above it).
    if (camera.height * 16 > camera.width * 9) assert.ok(above, `${name}: never above the base`);
  }
});

Deno.test("CameraOperator zooms in no more than the most it may, and follows a new limit", () => {
  const tiny = at(640, 300, 320); // head top to shoulders: 20 px
  const op = new CameraOperator(BASE, ZOOM);
  const crops = film(op, 30, () => tiny);
  for (const c of crops) assert.equal(c.h, BASE.h / ZOOM);
  op.setMaxZoom(2);
  const more = film(op, 300, () => tiny, 30);
  assert.equal(more.at(-1)!.h, BASE.h / 2);
  for (const c of more) assert.ok(c.h >= BASE.h / 2);
  // The size glides there (no cut): capped per frame.
  assert.ok(BASE.h / ZOOM - more[0]!.h <= MAX_ZOOM_SPEED * (BASE.h / ZOOM) * DT + 1e-9);
  op.setMaxZoom(1);
  const none = film(op, 600, () => tiny, 330);
  assert.deepEqual(none.at(-1), BASE);
  // Below 1 is 1.
  const flat = new CameraOperator(BASE, 0.5);
  flat.observe(tiny, 0);
  assert.deepEqual({ ...flat.step(0) }, BASE);
});

Deno.test("CameraOperator.setEnabled(false) glides home and then reports atBase", () => {
  const s = at(1000, 250, 380);
  const op = new CameraOperator(BASE, ZOOM);
  const framed = film(op, 30, () => s).at(-1)!;
  assert.equal(op.atBase, false);
  op.setEnabled(false);
  assert.equal(op.enabled, false);
  const crops = film(op, 900, () => s, 30);
  // No cut: the first step home is within the (halved) caps.
  const [x0, y0, h0] = centreOf(framed), [x1, y1, h1] = centreOf(crops[0]!);
  assert.ok(Math.abs(x1 - x0) <= 0.5 * MAX_SPEED * h0 * DT + 1e-9);
  assert.ok(Math.abs(y1 - y0) <= 0.5 * MAX_SPEED * h0 * DT + 1e-9);
  assert.ok(Math.abs(h1 - h0) <= 0.5 * MAX_ZOOM_SPEED * h0 * DT + 1e-9);
  assert.deepEqual(crops.at(-1), BASE);
  assert.equal(op.atBase, true);
  assert.equal(op.moved, false);
  // On again: it glides to the subject from the whole picture (no cut either).
  op.setEnabled(true);
  const back = film(op, 600, () => s, 930);
  assert.ok(Math.abs(centreOf(back[0]!)[0] - 640) <= MAX_SPEED * BASE.h * ASPECT * DT + 1e-9);
  assertNear(back.at(-1), composed(s));
});

Deno.test("CameraOperator made disabled stays on the whole picture whatever it is shown", () => {
  const op = new CameraOperator(BASE, ZOOM, false);
  const crops = film(op, 60, (i) => at(200 + 10 * i, 200, 300));
  for (const c of crops) assert.deepEqual(c, BASE);
  assert.equal(op.atBase, true);
  assert.equal(op.enabled, false);
});

Deno.test("CameraOperator after a stall moves at most a quarter second's worth", () => {
  const op = new CameraOperator(BASE, ZOOM);
  film(op, 30, () => at(300, 200, 350));
  const before = { ...op.crop };
  op.observe(at(1000, 200, 350), 1);
  op.observe(at(1000, 200, 350), 1 + PATIENCE);
  const after = op.step(30); // the loop stalled for half a minute
  const dx = Math.abs(after.x - before.x);
  assert.ok(dx > 0 && dx <= 0.25 * MAX_SPEED * BASE.h * ASPECT + 1e-9, `moved ${dx}`);
});

Deno.test("CameraOperator never passes a new goal just ahead of a crop moving at speed", () => {
  // Gliding home (nobody in view), fast; somebody appears a few pixels ahead of the crop's centre:
  // followed at once, and a spring that carries on at that speed would sail past them.
  const op = new CameraOperator(BASE, ZOOM);
  film(op, 30, () => at(800, 240, 380));
  let i = 30;
  film(op, Math.ceil(LOST_AFTER * FPS) + 30, () => NOBODY, i);
  i += Math.ceil(LOST_AFTER * FPS) + 30;
  const [x, , h] = centreOf(op.crop);
  assert.ok(x < 800 - 20 && h > BASE.h / ZOOM, "gliding home");
  const goal = x - 4;
  const crops = film(op, 120, () => at(goal, 240, 380), i);
  for (const [k, c] of crops.entries()) {
    assert.ok(centreOf(c)[0] >= goal - 1e-9, `frame ${k}: ${centreOf(c)[0]} past ${goal}`);
  }
  assert.ok(Math.abs(centreOf(crops.at(-1)!)[0] - goal) < 1e-6);
});
