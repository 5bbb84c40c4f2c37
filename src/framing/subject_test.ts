import assert from "node:assert/strict";
import type { Rect, Size } from "../frame/geometry.ts";
import { CameraOperator, DEAD_ZONE, SPAN } from "./operator.ts";
import { MIN_AREA, type Subject, SubjectFinder } from "./subject.ts";

/** The landscape model's map over a 1280x720 camera: one map pixel is 5x5 camera pixels. */
const MAP: Size = { width: 256, height: 144 };
const WHOLE: Rect = { x: 0, y: 0, w: 256, h: 144 };
const CAMERA: Size = { width: 1280, height: 720 };
/** Camera pixels per map pixel. */
const PX = 5;

/** Sets map pixels [x0, x1) × [y0, y1) (whole numbers, clipped to the map) to `p`. */
function fill(map: Float32Array, size: Size, r: [number, number, number, number], p = 1): void {
  assert.ok(r.every(Number.isInteger), `whole map pixels: ${r}`);
  const [x0, y0, x1, y1] = r;
  for (let y = Math.max(0, y0); y < Math.min(size.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(size.width, x1); x++) map[y * size.width + x] = p;
  }
}

/** A drawn head and shoulders, in map pixels. */
interface Person {
  /** The head's centre column (the head spans [cx − head/2, cx + head/2)). */
  cx: number;
  /** The head's top row. */
  top: number;
  /** Head width and height (widths even). */
  head: number;
  headRows: number;
  /** Neck width and height. */
  neck: number;
  neckRows: number;
  /** Shoulder width (the body goes down to the bottom of the map from the shoulder line). */
  body: number;
}

const ME: Person = { cx: 100, top: 30, head: 44, headRows: 30, neck: 16, neckRows: 6, body: 100 };

/** The head's top and the shoulder line (rows) and the head's centre (columns), map pixels. */
function truth(p: Person, dy = 0): { top: number; shoulders: number; centre: number } {
  return { top: p.top + dy, shoulders: p.top + p.headRows + p.neckRows + dy, centre: p.cx };
}

/**
 * Draws a head-and-shoulders silhouette: a head with cut corners (its top row still wider than
 * HEAD_WIDTH of the shoulders, as a head with hair is), a neck, shoulders down to the bottom.
 */
function drawPerson(map: Float32Array, size: Size, p: Person, dy = 0, bottom = size.height): void {
  const h = p.head / 2;
  const top = p.top + dy;
  // Corners cut by 3 pixels on the first row, 1 on the second.
  fill(map, size, [p.cx - h + 3, top, p.cx + h - 3, top + 1]);
  fill(map, size, [p.cx - h + 1, top + 1, p.cx + h - 1, top + 2]);
  fill(map, size, [p.cx - h, top + 2, p.cx + h, top + p.headRows]);
  const neckTop = top + p.headRows;
  fill(map, size, [p.cx - p.neck / 2, neckTop, p.cx + p.neck / 2, neckTop + p.neckRows]);
  fill(map, size, [p.cx - p.body / 2, neckTop + p.neckRows, p.cx + p.body / 2, bottom]);
}

function person(p: Person = ME): Float32Array {
  const map = new Float32Array(MAP.width * MAP.height);
  drawPerson(map, MAP, p);
  return map;
}

function find(map: Float32Array, finder = new SubjectFinder()): Subject {
  return { ...finder.find(map, MAP, WHOLE, CAMERA) };
}

Deno.test("SubjectFinder.find() reads head top, shoulder line and head centre within a map pixel", () => {
  const s = find(person());
  const t = truth(ME);
  assert.equal(s.found, true);
  assert.ok(Math.abs(s.top - t.top * PX) <= PX, `top ${s.top}, drawn at ${t.top * PX}`);
  assert.ok(
    Math.abs(s.shoulders - t.shoulders * PX) <= PX,
    `shoulders ${s.shoulders}, drawn at ${t.shoulders * PX}`,
  );
  assert.ok(Math.abs(s.centre - t.centre * PX) <= PX, `centre ${s.centre}, drawn ${t.centre * PX}`);
  assert.equal(s.width, ME.body * PX);
  // The blob's share of the map.
  const area = ME.head * ME.headRows - 8 + ME.neck * ME.neckRows +
    ME.body * (MAP.height - truth(ME).shoulders);
  assert.ok(Math.abs(s.area - area / (MAP.width * MAP.height)) < 1e-9, `area ${s.area}`);
});

Deno.test("SubjectFinder.find() follows the silhouette wherever it stands, in whole map pixels", () => {
  const finder = new SubjectFinder();
  for (const [cx, top] of [[30, 10], [128, 40], [220, 70], [60, 90]] as const) {
    const p = { ...ME, cx, top };
    const map = new Float32Array(MAP.width * MAP.height);
    drawPerson(map, MAP, p);
    const s = find(map, finder);
    const t = truth(p);
    assert.ok(Math.abs(s.top - t.top * PX) <= PX, `top ${s.top} vs ${t.top * PX}`);
    assert.ok(Math.abs(s.shoulders - t.shoulders * PX) <= PX, `shoulders ${s.shoulders}`);
    assert.ok(Math.abs(s.centre - t.centre * PX) <= PX, `centre ${s.centre} vs ${t.centre * PX}`);
  }
});

Deno.test("SubjectFinder.find() keeps the head top when a narrow hand is raised above the head", () => {
  const plain = find(person());
  const map = person();
  // An arm raised beside the head, its hand 20 map rows (100 camera pixels) above the head.
  const armX = ME.cx + ME.head / 2 + 6;
  fill(map, MAP, [armX, ME.top - 20, armX + 7, truth(ME).shoulders]);
  const raised = find(map);
  assert.equal(raised.found, true);
  assert.equal(raised.top, plain.top);
  assert.equal(raised.shoulders, plain.shoulders);
  // The arm is no head: the centre moves by less than a third of the operator's dead zone.
  const deadZone = DEAD_ZONE * (CAMERA.height / 1.6) * (16 / 9);
  assert.ok(
    Math.abs(raised.centre - plain.centre) < deadZone / 3,
    `centre ${plain.centre} → ${raised.centre}`,
  );
});

Deno.test("SubjectFinder.find() moves the head centre little for a hand beside the face", () => {
  const plain = find(person());
  const map = person();
  // A fist (10x12 map pixels: 50x60 camera pixels) against the right cheek.
  const right = ME.cx + ME.head / 2;
  fill(map, MAP, [right, ME.top + 8, right + 10, ME.top + 20]);
  const hand = find(map);
  assert.equal(hand.top, plain.top);
  assert.equal(hand.shoulders, plain.shoulders);
  const moved = Math.abs(hand.centre - plain.centre);
  // The median of the head rows moves by 2.7 map pixels (14 camera pixels; their mean would move
  // by 3): far less than the operator's dead zone at the most zoom (64 camera pixels at 1.6x).
  const deadZone = DEAD_ZONE * (CAMERA.height / 1.6) * (16 / 9);
  assert.ok(moved > 0, "the hand is part of the blob");
  assert.ok(moved < deadZone / 3, `centre moved ${moved} camera pixels`);
});

Deno.test("SubjectFinder.find() keeps the person it follows while a smaller one walks past", () => {
  const finder = new SubjectFinder();
  const first = find(person(), finder);
  // A second person at 70% of the first one's size (about half the area) walks from the right
  // edge to the left edge, apart from the first (their blobs never touch: see the next test).
  const tops: number[] = [];
  for (let cx = 250; cx >= 6; cx -= 2) {
    const map = person();
    if (Math.abs(cx - ME.cx) < (ME.body + STRANGER.body) / 2 + 2) continue;
    drawPerson(map, MAP, { ...STRANGER, cx });
    const s = find(map, finder);
    tops.push(s.top);
    assert.equal(s.found, true);
    assert.equal(s.top, first.top, `stranger at ${cx}`);
    assert.equal(s.centre, first.centre, `stranger at ${cx}`);
    assert.equal(s.shoulders, first.shoulders, `stranger at ${cx}`);
  }
  assert.ok(tops.length > 30);
});

/** A second person, at 70% of the first one's size (about half the area), further back. */
const STRANGER: Person = {
  cx: 0,
  top: 50,
  head: 30,
  headRows: 21,
  neck: 10,
  neckRows: 4,
  body: 70,
};

Deno.test("SubjectFinder.find() ignores a smaller person walking behind, blobs touching: the crop stays", () => {
  // The issue: the crop "never reacts to hands or to a second person walking behind". A person
  // walking behind at 150 camera pixels a second (crossing a 720p picture in 8.5 s) is one blob
  // with the followed one in the model's map while their outlines touch.
  const op = new CameraOperator({ x: 0, y: 0, w: 1280, h: 720 }, 1.6);
  const finder = new SubjectFinder();
  op.observe(finder.find(person(), MAP, WHOLE, CAMERA), 0);
  const first = { ...op.step(0) };
  let worst = 0, from = NaN;
  for (let i = 1, cx = 260; cx >= -40; i++, cx--) {
    const map = person();
    drawPerson(map, MAP, { ...STRANGER, cx });
    const t = i / 30;
    op.observe(finder.find(map, MAP, WHOLE, CAMERA), t);
    const c = op.step(t);
    const moved = Math.max(Math.abs(c.x - first.x), Math.abs(c.y - first.y));
    if (moved > 0 && Number.isNaN(from)) from = cx;
    worst = Math.max(worst, moved);
  }
  assert.equal(
    worst,
    0,
    `the crop moved (up to ${worst.toFixed(1)} camera pixels) from when the stranger's centre ` +
      `was at map column ${from} (their outlines touch from column 185 to 15)`,
  );
});

Deno.test("SubjectFinder.find() keeps the person it follows over a larger stranger, up to 3x", () => {
  // Followed first, the person keeps the lead over a stranger twice their size ...
  const finder = new SubjectFinder();
  const small: Person = {
    cx: 50,
    top: 60,
    head: 30,
    headRows: 20,
    neck: 10,
    neckRows: 4,
    body: 60,
  };
  const big: Person = {
    cx: 180,
    top: 20,
    head: 44,
    headRows: 30,
    neck: 16,
    neckRows: 6,
    body: 100,
  };
  const alone = new Float32Array(MAP.width * MAP.height);
  drawPerson(alone, MAP, small);
  const followed = find(alone, finder);
  const both = new Float32Array(MAP.width * MAP.height);
  drawPerson(both, MAP, small);
  drawPerson(both, MAP, big);
  const s = find(both, finder);
  assert.ok(s.area > 0 && followed.area > 0);
  assert.equal(s.centre, followed.centre);
  // ... which a fresh finder, following nobody yet, takes: it is the larger.
  const fresh = find(both);
  assert.ok(Math.abs(fresh.centre - big.cx * PX) <= PX, `fresh finder at ${fresh.centre}`);
  // Once the person leaves, the stranger is followed.
  const strangerAlone = new Float32Array(MAP.width * MAP.height);
  drawPerson(strangerAlone, MAP, big);
  assert.ok(Math.abs(find(strangerAlone, finder).centre - big.cx * PX) <= PX);
});

Deno.test("SubjectFinder.find() sees nobody in a speck under MIN_AREA", () => {
  const total = MAP.width * MAP.height;
  const side = Math.floor(Math.sqrt(MIN_AREA * total)); // 12: 144 of the 147 map pixels needed
  assert.ok(side * side < MIN_AREA * total);
  const map = new Float32Array(total);
  fill(map, MAP, [120, 60, 120 + side, 60 + side]);
  assert.equal(find(map).found, false);
  // A speck a map pixel larger each way is somebody (the threshold is where it says).
  const larger = new Float32Array(total);
  fill(larger, MAP, [120, 60, 121 + side, 61 + side]);
  assert.ok((side + 1) ** 2 >= MIN_AREA * total);
  assert.equal(find(larger).found, true);
  // Probabilities under one half are nobody, however large.
  assert.equal(find(new Float32Array(total).fill(0.49)).found, false);
  // A speck does not disturb a person beside it.
  const withSpeck = person();
  fill(withSpeck, MAP, [220, 5, 220 + side, 5 + side]);
  assert.deepEqual(find(withSpeck), find(person()));
});

Deno.test("SubjectFinder.find() after nobody follows whoever comes back", () => {
  const finder = new SubjectFinder();
  find(person(), finder);
  assert.equal(find(new Float32Array(MAP.width * MAP.height), finder).found, false);
  const p = { ...ME, cx: 200 };
  const map = new Float32Array(MAP.width * MAP.height);
  drawPerson(map, MAP, p);
  const s = find(map, finder);
  assert.equal(s.found, true);
  assert.ok(Math.abs(s.centre - p.cx * PX) <= PX);
});

Deno.test("SubjectFinder.find() maps a letterboxed map's content to camera pixels", () => {
  // The selfie model (256x256) letterboxes a 16:9 camera into rows 56 … 199; the bars are junk.
  const size: Size = { width: 256, height: 256 };
  const content: Rect = { x: 0, y: 56, w: 256, h: 144 };
  const map = new Float32Array(size.width * size.height);
  drawPerson(map, size, ME, content.y, content.y + content.h);
  fill(map, size, [0, 0, 256, 56]); // a bar of "person" above the picture
  fill(map, size, [0, 200, 256, 256]); // and below
  const s = new SubjectFinder().find(map, size, content, CAMERA);
  const plain = find(person());
  assert.deepEqual({ ...s }, plain);

  // A 4:3 camera in the landscape model: columns 32 … 223, 640/192 camera pixels per map pixel.
  const four: Size = { width: 640, height: 480 };
  const pillar: Rect = { x: 32, y: 0, w: 192, h: 144 };
  const m2 = new Float32Array(MAP.width * MAP.height);
  const p = { ...ME, cx: 150 };
  drawPerson(m2, MAP, p);
  fill(m2, MAP, [0, 0, 32, 144]); // the pillar bars
  fill(m2, MAP, [224, 0, 256, 144]);
  const t = truth(p);
  const sx = four.width / pillar.w;
  const q = new SubjectFinder().find(m2, MAP, pillar, four);
  assert.equal(q.found, true);
  assert.ok(Math.abs(q.centre - (t.centre - pillar.x) * sx) <= sx, `centre ${q.centre}`);
  assert.ok(Math.abs(q.top - t.top * sx) <= sx, `top ${q.top}`);
  assert.ok(Math.abs(q.shoulders - t.shoulders * sx) <= sx + 1e-9, `shoulders ${q.shoulders}`);
  assert.equal(q.width, p.body * sx);
  // Everything it reports lies in the camera picture.
  for (const v of [q.top, q.shoulders]) assert.ok(v >= 0 && v <= four.height);
  assert.ok(q.centre >= 0 && q.centre <= four.width);
});

Deno.test("SubjectFinder.find() reads a round head's top at its crown, not where it is HEAD_WIDTH wide", () => {
  // A round head: its top rows are narrower than HEAD_WIDTH of the shoulders. The head is found
  // at the first row that reaches it (~8 rows into the head), then followed up to the crown
  // straight above its centre: the top is the head's top, never above it.
  const map = new Float32Array(MAP.width * MAP.height);
  const cx = 128, cy = 45, r = 18;
  for (let y = cy - r; y < cy + r; y++) {
    for (let x = cx - r; x < cx + r; x++) {
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) map[y * MAP.width + x] = 1;
    }
  }
  fill(map, MAP, [cx - 50, cy + r, cx + 50, 144]);
  const s = find(map);
  const top = (cy - r) * PX;
  assert.ok(s.top >= top, `top ${s.top} above the head (${top})`);
  assert.ok(s.top - top <= PX, `top ${s.top}, the head's ${top}`);
  // A hand raised beside it, higher than the head, is not climbed.
  const hand = map.slice();
  fill(hand, MAP, [cx + r + 2, cy - r - 15, cx + r + 8, cy + r]);
  assert.equal(find(hand).top, s.top);
});

Deno.test("SubjectFinder.find() with a hand beside the face held for seconds: the crop stays", () => {
  const base: Rect = { x: 0, y: 0, w: 1280, h: 720 };
  const op = new CameraOperator(base, 1.6);
  const finder = new SubjectFinder();
  const plain = person();
  const hand = person();
  const right = ME.cx + ME.head / 2;
  fill(hand, MAP, [right, ME.top + 8, right + 10, ME.top + 20]);
  op.observe(finder.find(plain, MAP, WHOLE, CAMERA), 0);
  const first = { ...op.step(0) };
  for (let i = 1; i <= 150; i++) {
    const t = i / 30;
    op.observe(finder.find(i >= 15 ? hand : plain, MAP, WHOLE, CAMERA), t);
    assert.deepEqual(op.step(t), first, `frame ${i}`);
  }
});

Deno.test("SubjectFinder.find() reads the shoulder line above arms resting on a desk", () => {
  // The commonest pose at a desk: the forearms on it, wider than the shoulders, over the bottom
  // quarter of the picture. The shoulder line is where it was without them (within a map pixel),
  // or the crop, SPAN times head-top-to-shoulders tall, zooms out to the whole picture.
  const plain = find(person());
  const map = person();
  fill(map, MAP, [ME.cx - 80, 110, ME.cx + 80, MAP.height]);
  const desk = find(map);
  const shoulders = truth(ME).shoulders * PX;
  const read = `top ${desk.top}, shoulders ${desk.shoulders} (${plain.top}, ${plain.shoulders} ` +
    `without the arms; drawn at ${truth(ME).top * PX}, ${shoulders}): the crop would be ` +
    `${SPAN * (desk.shoulders - desk.top)} px tall, not ${SPAN * (plain.shoulders - plain.top)}`;
  assert.equal(desk.top, plain.top, read);
  assert.ok(Math.abs(desk.shoulders - shoulders) <= PX, read);
  assert.equal(desk.centre, plain.centre);
});
