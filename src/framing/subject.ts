/**
 * Where the person is, read from the model's probability map: the one blob a camera operator
 * would follow, its head top, its shoulder line and the centre of its head, in camera pixels.
 *
 * The map is small (e.g. 256×144), so this costs a few hundredths of a millisecond per model run,
 * and every buffer is made once (again only when the map's size changes, i.e. after a model
 * switch).
 *
 * What it ignores, by construction:
 * - **A second person walking behind**: blobs are separated (4-connected) and the one followed so
 *   far wins unless another is more than three times its size. When the two touch (one blob),
 *   the rows are measured only within {@linkcode WINDOW} body widths either side of the head
 *   followed so far, so the other person's head and shoulders beside it do not count.
 * - **Hands**: the head is found at the first row at least {@linkcode HEAD_WIDTH} of the body's
 *   width (a raised hand is narrower than a head), and its top is followed up from there only
 *   straight above the head's centre (the crown); the centre is the median column of the head
 *   rows, so a hand beside the face moves it little.
 * - **Specks**: blobs under {@linkcode MIN_AREA} of the picture are nobody.
 *
 * @module
 */

import type { Rect, Size } from "../frame/geometry.ts";

/** A blob smaller than this share of the picture is not a person. */
export const MIN_AREA = 0.004;

/** A row belongs to the head when its width reaches this share of the body's width. */
export const HEAD_WIDTH = 0.3;

/** Below the neck, the shoulders begin where a row is this many times the head's width. */
export const SHOULDERS_OVER_HEAD = 1.5;

/**
 * With no neck to be seen, the shoulder line is the first row whose width reaches this share of
 * the body's width.
 */
export const SHOULDER_WIDTH = 0.8;

/** Once following, rows are measured this many body widths either side of the head's centre. */
export const WINDOW = 0.6;

/** The probability from which a map pixel is the person. */
const PERSON = 0.5;

/** The person as the operator sees them, in camera pixels. */
export interface Subject {
  /** Whether anyone is in view; the other fields are meaningful only then. */
  found: boolean;
  /** The top of the head. */
  top: number;
  /** The shoulder line (the bottom of the blob when no shoulders show). */
  shoulders: number;
  /** The centre of the head, horizontally. */
  centre: number;
  /** The body's width (the widest rows, hands and outliers aside). */
  width: number;
  /** The blob's share of the picture, 0 … 1. */
  area: number;
}

/**
 * Finds the {@linkcode Subject} in probability maps, one map after the other (it remembers whom it
 * followed).
 *
 * @example
 * ```ts
 * import { SubjectFinder } from "./subject.ts";
 * const map = new Float32Array(16 * 9);
 * for (let y = 2; y < 9; y++) for (let x = 6; x < 10; x++) map[y * 16 + x] = 1;
 * const finder = new SubjectFinder();
 * const s = finder.find(map, { width: 16, height: 9 }, { x: 0, y: 0, w: 16, h: 9 }, {
 *   width: 160,
 *   height: 90,
 * });
 * console.log(s.found, s.top, s.centre); // true 20 80
 * ```
 */
export class SubjectFinder {
  #labels = new Int32Array(0);
  /** The runs of person pixels: row, first column, end column; the union-find over them. */
  #runRow = new Int32Array(0);
  #runFrom = new Int32Array(0);
  #runTo = new Int32Array(0);
  #parent = new Int32Array(0);
  /** Per blob (at its root run): area, pixels inside the box followed so far. */
  #area = new Int32Array(0);
  #inside = new Int32Array(0);
  #rows = new Int32Array(0);
  #cols = new Int32Array(0);
  #widths = new Int32Array(0);
  readonly #subject: Subject = {
    found: false,
    top: 0,
    shoulders: 0,
    centre: 0,
    width: 0,
    area: 0,
  };
  /**
   * The blob followed so far, in map pixels: its box (x0, y0, x1, y1), its head's centre column
   * and its body width; meaningful while `#hasPrev`.
   */
  readonly #prev = new Float64Array(6);
  #hasPrev = false;

  /** Forgets whom it followed. */
  reset(): void {
    this.#hasPrev = false;
    this.#subject.found = false;
  }

  /**
   * Reads the person from one map.
   *
   * @param map the model's probabilities, row-major, 0 … 1
   * @param size the map's size
   * @param content where the camera picture lies in the map (the letterbox), in map pixels
   * @param camera the camera picture's size
   * @returns the subject (the same object every call, filled in place)
   */
  find(map: Float32Array, size: Size, content: Rect, camera: Size): Subject {
    const mw = size.width, mh = size.height;
    const n = mw * mh;
    if (this.#labels.length !== n) {
      this.#labels = new Int32Array(n);
      const most = Math.ceil(mw / 2) * mh;
      this.#runRow = new Int32Array(most);
      this.#runFrom = new Int32Array(most);
      this.#runTo = new Int32Array(most);
      this.#parent = new Int32Array(most);
      this.#area = new Int32Array(most);
      this.#inside = new Int32Array(most);
      this.#rows = new Int32Array(mh);
      this.#cols = new Int32Array(mw);
      this.#widths = new Int32Array(mw + 1);
    }
    const x0 = Math.max(0, Math.ceil(content.x - 1e-6));
    const y0 = Math.max(0, Math.ceil(content.y - 1e-6));
    const x1 = Math.min(mw, Math.floor(content.x + content.w + 1e-6));
    const y1 = Math.min(mh, Math.floor(content.y + content.h + 1e-6));
    const subject = this.#subject;
    subject.found = false;
    if (x1 <= x0 || y1 <= y0) return subject;
    const labels = this.#labels;
    const prev = this.#prev;
    const px0 = prev[0]!, py0 = prev[1]!, px1 = prev[2]!, py1 = prev[3]!;
    const tracking = this.#hasPrev;

    // The person's pixels as runs along the rows, joined into blobs (4-connected: runs of
    // neighbouring rows that overlap), with a union-find over the runs: one pass over the map.
    const ry = this.#runRow, ra = this.#runFrom, rb = this.#runTo, parent = this.#parent;
    let runs = 0, prevFrom = 0, prevTo = 0;
    for (let y = y0; y < y1; y++) {
      const row = y * mw;
      const from = runs;
      let x = x0;
      while (x < x1) {
        while (x < x1 && !(map[row + x]! >= PERSON)) x++;
        if (x >= x1) break;
        const a = x;
        while (x < x1 && map[row + x]! >= PERSON) x++;
        ry[runs] = y;
        ra[runs] = a;
        rb[runs] = x;
        parent[runs] = runs;
        // Join the runs of the row above that overlap this one.
        for (let k = prevFrom; k < prevTo; k++) {
          if (ra[k]! < x && a < rb[k]!) union(parent, k, runs);
        }
        runs++;
      }
      prevFrom = from;
      prevTo = runs;
    }
    // Per blob (at its root run): its area, its pixels inside the box followed so far.
    const area = this.#area, inside = this.#inside;
    for (let k = 0; k < runs; k++) area[k] = inside[k] = 0;
    for (let k = 0; k < runs; k++) {
      const root = find(parent, k);
      const a = ra[k]!, b = rb[k]!, y = ry[k]!;
      area[root]! += b - a;
      if (tracking && y >= py0 && y < py1) {
        const lo = Math.max(a, px0), hi = Math.min(b, px1);
        if (hi > lo) inside[root]! += hi - lo;
      }
    }
    // The blob followed so far counts triple: a stranger must be much larger to take over.
    let best = -1, bestArea = 0, bestScore = 0;
    for (let k = 0; k < runs; k++) {
      if (parent[k] !== k) continue;
      const score = area[k]! + 2 * inside[k]!;
      if (score > bestScore) {
        best = k;
        bestArea = area[k]!;
        bestScore = score;
      }
    }
    const total = (x1 - x0) * (y1 - y0);
    if (best < 0 || bestArea < MIN_AREA * total) {
      this.#hasPrev = false;
      return subject;
    }
    // The blob's pixels (label 1), its box (for following it), and how much of it lies within
    // the window around the head followed so far (all of it is measured when following nobody,
    // or when less than half of the blob is in the window: the person moved far since the last
    // look).
    let wx0 = x0, wx1 = x1;
    if (tracking) {
      const half = Math.max(4, WINDOW * prev[5]!);
      wx0 = Math.max(x0, Math.floor(prev[4]! - half));
      wx1 = Math.min(x1, Math.ceil(prev[4]! + half));
    }
    labels.fill(0);
    let left = x1, right = x0, inWindow = 0;
    for (let k = 0; k < runs; k++) {
      if (find(parent, k) !== best) continue;
      const a = ra[k]!, b = rb[k]!;
      labels.fill(1, ry[k]! * mw + a, ry[k]! * mw + b);
      if (a < left) left = a;
      if (b - 1 > right) right = b - 1;
      const lo = Math.max(a, wx0), hi = Math.min(b, wx1);
      if (hi > lo) inWindow += hi - lo;
    }
    if (2 * inWindow < bestArea) {
      wx0 = x0;
      wx1 = x1;
    }
    // Row widths of the blob, and the body's width: the width of the widest tenth of its rows.
    const rows = this.#rows;
    const widths = this.#widths;
    rows.fill(0);
    widths.fill(0);
    let first = -1, last = -1;
    for (let k = 0; k < runs; k++) {
      if (find(parent, k) !== best) continue;
      const lo = Math.max(ra[k]!, wx0), hi = Math.min(rb[k]!, wx1);
      if (hi > lo) rows[ry[k]!]! += hi - lo;
    }
    for (let y = y0; y < y1; y++) {
      const count = rows[y]!;
      if (count > 0) {
        if (first < 0) first = y;
        last = y;
        widths[count]!++;
      }
    }
    const tenth = Math.max(1, Math.ceil((last - first + 1) / 10));
    let body = 0;
    for (let w = x1 - x0, seen = 0; w > 0; w--) {
      seen += widths[w]!;
      if (seen >= tenth) {
        body = w;
        break;
      }
    }
    // The head: found at the first row HEAD_WIDTH of the body wide, then followed up to its
    // crown (narrower: a head is round) while the blob goes on straight above its centre (a
    // raised hand beside it does not).
    let top = first;
    while (top < last && rows[top]! < Math.max(1, HEAD_WIDTH * body)) top++;
    const best1 = 1;
    let median = this.#medianColumn(best1, top, top + 3, last, wx0, wx1);
    const mid = Math.min(wx1 - 1, Math.max(wx0, Math.floor(median)));
    const crownLo = Math.max(wx0, mid - 1), crownHi = Math.min(wx1 - 1, mid + 1);
    while (top > first) {
      const r = (top - 1) * mw;
      let on = false;
      for (let x = crownLo; x <= crownHi; x++) if (labels[r + x] === best1) on = true;
      if (!on) break;
      top--;
    }
    let shoulders = this.#neckDown(best1, top, last, mid, wx0, wx1);
    if (shoulders < 0) {
      // No neck to see (hair down to the shoulders): where the body is nearly its full width.
      shoulders = top;
      while (shoulders < last && rows[shoulders]! < SHOULDER_WIDTH * body) shoulders++;
    }
    // The head's centre: the median column of the head rows (the upper 60% down to the shoulders).
    median = this.#medianColumn(
      best1,
      top,
      top + Math.max(1, Math.round(0.6 * (shoulders - top))),
      last,
      wx0,
      wx1,
    );

    prev[0] = left;
    prev[1] = first;
    prev[2] = right + 1;
    prev[3] = last + 1;
    prev[4] = median;
    prev[5] = body;
    this.#hasPrev = true;
    const sx = camera.width / content.w, sy = camera.height / content.h;
    subject.found = true;
    subject.top = clamp((top - content.y) * sy, 0, camera.height);
    subject.shoulders = clamp((shoulders + 1 - content.y) * sy, 0, camera.height);
    subject.centre = clamp((median - content.x) * sx, 0, camera.width);
    subject.width = body * sx;
    subject.area = bestArea / total;
    return subject;
  }

  /**
   * The median column of the blob's pixels in rows [`from`, `to`) (not past `last`) and columns
   * [`wx0`, `wx1`); column x spans [x, x + 1), so the median lies inside the column where half
   * is reached.
   */
  #medianColumn(
    label: number,
    from: number,
    to: number,
    last: number,
    wx0: number,
    wx1: number,
  ): number {
    const labels = this.#labels, cols = this.#cols, mw = this.#cols.length;
    cols.fill(0);
    let pixels = 0;
    for (let y = from; y < to && y <= last; y++) {
      const r = y * mw;
      for (let x = wx0; x < wx1; x++) {
        if (labels[r + x] === label) {
          cols[x]!++;
          pixels++;
        }
      }
    }
    let seen = 0;
    for (let x = wx0; x < wx1; x++) {
      const c = cols[x]!;
      if (c > 0 && 2 * (seen + c) >= pixels) return x + (pixels / 2 - seen) / c;
      seen += c;
    }
    return wx0;
  }

  /**
   * The shoulder line as a person reads it: down from the head's top the rows widen (the crown),
   * narrow (the chin, the neck), then widen again: the first row from there at least
   * {@linkcode SHOULDERS_OVER_HEAD} times the head's width. Each row's width is that of the run
   * of the blob through the head's centre column, so arms on a desk (wider still, but lower) and
   * someone else's head beside this one do not move it.
   *
   * @returns the row, or −1 when the rows never narrow below the head, or never widen again
   */
  #neckDown(
    label: number,
    top: number,
    last: number,
    mid: number,
    wx0: number,
    wx1: number,
  ): number {
    const labels = this.#labels, mw = this.#cols.length;
    let head = 0, narrowed = false;
    for (let y = top; y <= last; y++) {
      const r = y * mw;
      let w = 0;
      if (labels[r + mid] === label) {
        let a = mid, b = mid;
        while (a > wx0 && labels[r + a - 1] === label) a--;
        while (b + 1 < wx1 && labels[r + b + 1] === label) b++;
        w = b - a + 1;
      }
      if (!narrowed) {
        if (w > head) head = w;
        else if (w < 0.9 * head) narrowed = true;
      } else if (w >= SHOULDERS_OVER_HEAD * head) {
        return y;
      }
    }
    return -1;
  }
}

/** The root of run `k` (with path halving). */
function find(parent: Int32Array, k: number): number {
  while (parent[k] !== k) {
    const p = parent[k]!;
    parent[k] = parent[p]!;
    k = p;
  }
  return k;
}

/** Joins the blobs of runs `a` and `b` (the smaller root becomes the root: stable order). */
function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a), rb = find(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
