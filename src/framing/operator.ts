/**
 * The camera operator: turns where the person is ({@linkcode Subject}) into a crop of the camera
 * picture, moving it as a good operator would.
 *
 * **Composition.** Head and shoulders: the head top {@linkcode HEADROOM} of the crop's height
 * below its top edge, the head centred horizontally, the crop {@linkcode SPAN} times as tall as
 * head top to shoulder line (the head then fills about a third of the height), never zoomed in
 * beyond `maxZoom` (the picture would get soft) and never beyond the camera picture. Without
 * anybody to follow it is `base`: the output's crop without framing (the camera picture at the
 * output's aspect, centred); with somebody it may move anywhere in the camera picture (a 4:3
 * camera into a 16:9 output: up to the head that the centred crop cut off).
 *
 * **Motion.** The crop holds still while the person moves a little: a new position is taken only
 * when the composition leaves a dead zone ({@linkcode DEAD_ZONE} of the crop) and stays out of it
 * for {@linkcode PATIENCE} seconds (a hand, a nod, a passer-by do not move it), or at once when
 * the head reaches the crop's edge ({@linkcode URGENT}). Once off, it keeps after the person
 * (its goal follows every look) until it has caught up with them, then holds again. It glides:
 * each of centre x, centre y and height follows a critically damped spring (no overshoot,
 * no oscillation; checked every step, so it never passes its goal) whose speed is capped in
 * what the viewer sees: the centre moves at most {@linkcode MAX_SPEED} of the crop's own height a
 * second along each axis, the height changes at most {@linkcode MAX_ZOOM_SPEED} of itself a
 * second (at 720p30, at most 6 output pixels a frame sideways or up and down, whatever the zoom;
 * up to 2 more at the corners while zooming). Once there
 * it stops exactly (the crop's numbers stop changing, so a still person gives a still picture).
 * With nobody in view for {@linkcode LOST_AFTER} seconds it returns, slowly, to the whole picture.
 *
 * @module
 */

import type { Rect, Size } from "../frame/geometry.ts";
import type { Subject } from "./subject.ts";

/** The crop is this many times as tall as head top to shoulder line. */
export const SPAN = 2.4;
/** Room above the head: this share of the crop's height. */
export const HEADROOM = 0.12;
/** The composition may wander this share of the crop's size before the crop follows. */
export const DEAD_ZONE = 0.08;
/** … and must stay out of the dead zone this long (seconds). */
export const PATIENCE = 0.5;
/**
 * The head this close to the crop's top edge (share of its height), or its centre this close to
 * a side (share of its width): the crop sets off at once, without waiting for the patience.
 */
export const URGENT = 0.06;
/** Nobody in view this long (seconds): back to the whole picture. */
export const LOST_AFTER = 1.5;
/** The springs' rate (1/s): critically damped, most of the way in about a second. */
export const OMEGA = 2.5;
/**
 * The top speed of the crop's centre along each axis, as a share of the crop's height per second:
 * a quarter of the output's height a second in the output (6 px a frame at 720p30), at any zoom
 * (enough to follow someone walking across a 720p camera in 11 s at the most zoom, 1.6x).
 */
export const MAX_SPEED = 0.25;
/** The top speed of the crop's height, as a share of itself per second (zooming). */
export const MAX_ZOOM_SPEED = 0.1;

/** Where the crop is going or is: its centre and height (the width follows the aspect). */
interface Pose {
  x: number;
  y: number;
  h: number;
}

/** One spring axis: position, velocity. */
interface Axis {
  p: number;
  v: number;
}

/**
 * Moves a crop after a subject.
 *
 * @example
 * ```ts
 * import { CameraOperator } from "./operator.ts";
 * const op = new CameraOperator({ x: 0, y: 0, w: 1280, h: 720 }, 1.6);
 * op.observe({ found: true, top: 200, shoulders: 350, centre: 800, width: 300, area: 0.1 }, 0);
 * op.step(0); // the first look: straight there
 * console.log(Math.round(op.crop.h)); // 450 (1.6x zoom: the most allowed)
 * ```
 */
export class CameraOperator {
  readonly #base: Rect;
  /** The camera picture: the crop stays inside it. */
  readonly #bounds: Size;
  readonly #aspect: number;
  #maxZoom: number;
  #enabled: boolean;
  /** Where the crop is (centre, height) and how fast it moves. */
  readonly #x: Axis;
  readonly #y: Axis;
  readonly #h: Axis;
  /** Where it is going. */
  readonly #goal: Pose;
  /** The composition of the latest subject. */
  readonly #target: Pose;
  /** Since when the composition has been out of the dead zone (NaN: it is inside). */
  #outSince = NaN;
  /** Since when nobody has been in view (NaN: somebody is). */
  #lostSince = NaN;
  /** Whether the first frame has been shown (until then the crop goes straight to a subject). */
  #placed = false;
  #returning = false;
  /** The axes after the person (1: x, 2: y, 4: size): their goal follows every look. */
  #following = 0;
  #last = NaN;
  #moved = false;
  /** The crop, updated in place by {@linkcode step}. */
  readonly crop: Rect;

  /**
   * @param base the whole picture at the output's aspect (the crop without framing), camera pixels
   * @param maxZoom the most the crop may zoom in (from `base`'s size), ≥ 1
   * @param enabled follow from the start (the first frame is then framed at once, without a
   *   glide, when somebody is in it); false: off until {@linkcode setEnabled}
   */
  constructor(base: Rect, maxZoom: number, enabled = true, bounds?: Size) {
    this.#enabled = enabled;
    // Turned on later, it glides from the whole picture.
    this.#placed = !enabled;
    this.#base = { ...base };
    this.#bounds = bounds
      ? { width: bounds.width, height: bounds.height }
      : { width: base.x * 2 + base.w, height: base.y * 2 + base.h };
    this.#aspect = base.w / base.h;
    this.#maxZoom = Math.max(1, maxZoom);
    const cx = base.x + base.w / 2, cy = base.y + base.h / 2;
    this.#x = { p: cx, v: 0 };
    this.#y = { p: cy, v: 0 };
    this.#h = { p: base.h, v: 0 };
    this.#goal = { x: cx, y: cy, h: base.h };
    this.#target = { x: cx, y: cy, h: base.h };
    this.crop = { ...base };
  }

  /** Whether the crop is the whole picture, standing still (framing off, or nobody to follow). */
  get atBase(): boolean {
    const b = this.#base;
    return !this.#moved && this.#h.p === b.h && this.#x.p === b.x + b.w / 2 &&
      this.#y.p === b.y + b.h / 2;
  }

  /** Whether following is on. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Whether the last {@linkcode step} changed the crop. */
  get moved(): boolean {
    return this.#moved;
  }

  /**
   * Turns following on or off. Off: the crop glides back to the whole picture and stays there.
   *
   * @param on follow the person
   */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    this.#outSince = this.#lostSince = NaN;
    this.#returning = false;
    this.#following = 0;
    if (!on) this.#home();
  }

  /**
   * Changes the most the crop may zoom in; the next subject is composed with it at once.
   *
   * @param maxZoom ≥ 1
   */
  setMaxZoom(maxZoom: number): void {
    this.#maxZoom = Math.max(1, maxZoom);
    this.#outSince = -Infinity;
  }

  /**
   * Takes a new look at the person.
   *
   * @param subject from {@linkcode SubjectFinder.find}
   * @param now seconds (any origin, increasing)
   */
  observe(subject: Subject, now: number): void {
    if (!this.#enabled) return;
    if (!subject.found) {
      if (Number.isNaN(this.#lostSince)) this.#lostSince = now;
      if (now - this.#lostSince >= LOST_AFTER && !this.#returning) {
        this.#returning = true;
        this.#following = 0;
        this.#home();
      }
      this.#outSince = NaN;
      return;
    }
    this.#lostSince = NaN;
    this.#compose(subject, this.#target);
    const t = this.#target, g = this.#goal;
    if (!this.#placed || this.#returning) {
      // The first frame, or somebody back after nobody was there: go to them (gliding).
      this.#setGoal(t);
      this.#returning = false;
      this.#outSince = NaN;
      return;
    }
    // Which axes (1: x, 2: y, 4: size) left their dead zone around the goal.
    const out = this.#outside(t, 1, g);
    if (this.#following !== 0) {
      // Once off after the person, an axis keeps after them until it has caught up (an operator
      // does not stop halfway while the person still moves); another axis that leaves its dead
      // zone meanwhile joins at once. Axes still inside theirs hold (no size jitter while the
      // crop follows someone walking).
      this.#following |= out;
      this.#setAxes(t, this.#following);
      this.#following &= this.#outside(t, 0.25);
      return;
    }
    // The head at (or past) the picture's top edge, or near a side: that axis sets off at once.
    const c = this.crop;
    const urgent = (subject.top < c.y + URGENT * c.h ? 2 : 0) |
      (subject.centre < c.x + URGENT * c.w || subject.centre > c.x + (1 - URGENT) * c.w ? 1 : 0);
    if (out === 0 && urgent === 0) {
      this.#outSince = NaN;
      return;
    }
    if (Number.isNaN(this.#outSince)) this.#outSince = now;
    if (urgent !== 0 || now - this.#outSince >= PATIENCE) {
      this.#following = out | urgent;
      this.#setAxes(t, this.#following);
      this.#outSince = NaN;
    }
  }

  /**
   * The axes (1: x, 2: y, 4: size) on which pose `t` is beyond `share` of the dead zone of
   * `from` (default: where the crop is).
   */
  #outside(t: Pose, share: number, from?: Pose): number {
    const x = from?.x ?? this.#x.p, y = from?.y ?? this.#y.p, h = from?.h ?? this.#h.p;
    const d = DEAD_ZONE * share;
    return (Math.abs(t.x - x) > d * h * this.#aspect ? 1 : 0) |
      (Math.abs(t.y - y) > d * h ? 2 : 0) | (Math.abs(t.h - h) > d * 1.5 * h ? 4 : 0);
  }

  /** Sets the goal's axes in `axes` (1: x, 2: y, 4: size) to pose `p`'s. */
  #setAxes(p: Pose, axes: number): void {
    const g = this.#goal;
    if (axes & 1) g.x = p.x;
    if (axes & 2) g.y = p.y;
    if (axes & 4) g.h = p.h;
  }

  /**
   * Moves the crop towards its goal for the time since the last step (at most 0.25 s: after a
   * stall it goes on gently rather than jumping).
   *
   * @param now seconds, the same clock as {@linkcode observe}
   * @returns {@linkcode crop}
   */
  step(now: number): Rect {
    const dt = Number.isNaN(this.#last) ? 0 : Math.min(0.25, Math.max(0, now - this.#last));
    this.#last = now;
    const g = this.#goal;
    const bx = this.#x.p, by = this.#y.p, bh = this.#h.p;
    if (!this.#placed && this.#enabled) {
      // The first frame: nothing has been shown yet, so placing the crop is not a move.
      this.#x.p = g.x;
      this.#y.p = g.y;
      this.#h.p = g.h;
    } else if (dt > 0) {
      const slow = this.#returning || !this.#enabled ? 0.5 : 1;
      const omega = OMEGA * slow;
      // Caps in what the viewer sees: shares of the crop's height before this step.
      const h0 = this.#h.p;
      spring(this.#h, g.h, omega, MAX_ZOOM_SPEED * h0 * slow, dt);
      spring(this.#x, g.x, omega, MAX_SPEED * h0 * slow, dt);
      spring(this.#y, g.y, omega, MAX_SPEED * h0 * slow, dt);
    }
    this.#placed = true;
    // Keep the crop inside the picture at its current size.
    const h = this.#h.p, w = h * this.#aspect;
    const W = this.#bounds.width, H = this.#bounds.height;
    this.#x.p = clamp(this.#x.p, w / 2, W - w / 2);
    this.#y.p = clamp(this.#y.p, h / 2, H - h / 2);
    this.#moved = this.#x.p !== bx || this.#y.p !== by || this.#h.p !== bh;
    const c = this.crop;
    c.w = w;
    c.h = h;
    c.x = clamp(this.#x.p - w / 2, 0, W - w);
    c.y = clamp(this.#y.p - h / 2, 0, H - h);
    return c;
  }

  #setGoal(p: Pose): void {
    const g = this.#goal;
    g.x = p.x;
    g.y = p.y;
    g.h = p.h;
  }

  /** The whole picture. */
  #home(): void {
    const b = this.#base;
    this.#setGoal({ x: b.x + b.w / 2, y: b.y + b.h / 2, h: b.h });
  }

  /** Where a camera operator would put the crop for this subject. */
  #compose(s: Subject, into: Pose): void {
    const b = this.#base;
    const span = Math.max(1, s.shoulders - s.top);
    const h = clamp(SPAN * span, b.h / this.#maxZoom, b.h);
    const w = h * this.#aspect;
    into.h = h;
    const W = this.#bounds.width, H = this.#bounds.height;
    into.x = clamp(s.centre, w / 2, W - w / 2);
    into.y = clamp(s.top - HEADROOM * h + h / 2, h / 2, H - h / 2);
  }
}

/**
 * One step of a critically damped spring towards `goal` (exact for the step), its speed capped;
 * never past the goal; stops exactly when within a hundredth of a pixel and nearly still.
 */
function spring(a: Axis, goal: number, omega: number, maxSpeed: number, dt: number): void {
  const d = a.p - goal;
  if (d === 0 && a.v === 0) return;
  const c = a.v + omega * d;
  const e = Math.exp(-omega * dt);
  let p = goal + (d + c * dt) * e;
  let v = (a.v - omega * c * dt) * e;
  const limit = maxSpeed * dt;
  if (p - a.p > limit) p = a.p + limit;
  else if (a.p - p > limit) p = a.p - limit;
  if (v > maxSpeed) v = maxSpeed;
  else if (v < -maxSpeed) v = -maxSpeed;
  // Never past the goal: a good operator does not overshoot and come back.
  if ((p - goal) * d < 0) {
    p = goal;
    v = 0;
  }
  if (Math.abs(p - goal) < 0.01 && Math.abs(v) < 0.5) {
    p = goal;
    v = 0;
  }
  a.p = p;
  a.v = v;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
