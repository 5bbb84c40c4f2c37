/**
 * {@linkcode WarningLimit}: warnings that can come with every frame (a camera sending corrupt
 * JPEGs all day) said once, then summed up at most once per interval, so that they never flood
 * the log.
 *
 * @module
 */

/** Options for {@linkcode WarningLimit}. */
export interface WarningLimitOptions {
  /** At most one line per kind of warning this often, in ms (default 30 000). */
  intervalMs?: number;
  /** The clock, in ms (default `performance.now`; tests). */
  now?: () => number;
}

/** One kind of warning: when its next line may be said, and what was held back meanwhile. */
interface Kind {
  /** When the last line of this kind was said. */
  saidAt: number;
  /** Warnings held back since then. */
  held: number;
  /** The latest of them. */
  latest: string;
}

/**
 * Passes warnings on to `say`, at most one line per kind per interval: the first warning of a
 * kind at once; those that follow within the interval are counted, and once the interval has
 * passed one line says the latest with the count, e.g.
 * `Skipped a corrupt MJPG frame: bad Huffman code (41 like this in the last 30 s)` (the
 * latest, and how many were held back; a single one as it came). The summary is
 * said by {@linkcode flush} (call it often, e.g. on every frame: while nothing is held back it only reads a flag)
 * or by the next warning of that kind, whichever comes first. After a quiet interval the next
 * warning is said at once again.
 *
 * @example
 * ```ts
 * import { WarningLimit } from "./warning_limit.ts";
 *
 * const limit = new WarningLimit((line) => console.warn(line), { intervalMs: 30_000 });
 * limit.warn("Skipped a corrupt MJPG frame: no JPEG end marker", "skipped"); // said at once
 * limit.warn("Skipped a corrupt MJPG frame: bad Huffman code", "skipped"); // held back
 * limit.warn("Skipped a corrupt MJPG frame: no JPEG start marker", "skipped"); // held back
 * limit.flush(); // 30 s later: "Skipped a corrupt MJPG frame: no JPEG start marker (2 like this in the last 30 s)"
 * ```
 */
export class WarningLimit<K extends string = string> {
  readonly #say: (line: string, kind: K) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #kinds = new Map<K, Kind>();
  /** Whether some kind holds warnings back (`flush` has nothing to do otherwise). */
  #holding = false;
  /** Warnings held back so far (said only as counts, or late). */
  held = 0;

  /**
   * Makes a limit.
   *
   * @param say Where the lines go, with their kind.
   * @param options The interval and the clock.
   * @throws {RangeError} When the interval is not a positive number.
   */
  constructor(say: (line: string, kind: K) => void, options: WarningLimitOptions = {}) {
    const interval = options.intervalMs ?? 30_000;
    if (!(interval > 0)) {
      throw new RangeError(`Cannot limit warnings to one per ${interval} ms: it must be above 0`);
    }
    this.#say = say;
    this.#intervalMs = interval;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Says a warning now, or holds it back when one of its kind was said within the interval.
   *
   * @param message The warning (one line).
   * @param kind Warnings of one kind share the limit (e.g. `"skipped"`, `"damaged"`).
   */
  warn(message: string, kind: K): void {
    const now = this.#now();
    const k = this.#kinds.get(kind);
    if (k === undefined || (k.held === 0 && now - k.saidAt >= this.#intervalMs)) {
      // The first of its kind, or the first after a quiet interval: at once.
      if (k === undefined) this.#kinds.set(kind, { saidAt: now, held: 0, latest: "" });
      else k.saidAt = now;
      this.#say(message, kind);
      return;
    }
    k.held++;
    k.latest = message;
    this.held++;
    this.#holding = true;
    this.#sayDue(kind, k, now);
  }

  /** Says the summaries that are due (their interval has passed since the last line). */
  flush(): void {
    if (!this.#holding) return;
    const now = this.#now();
    let holding = false;
    for (const [kind, k] of this.#kinds) {
      this.#sayDue(kind, k, now);
      if (k.held > 0) holding = true;
    }
    this.#holding = holding;
  }

  /** Says `k`'s held-back warnings as one line when its interval has passed. */
  #sayDue(kind: K, k: Kind, now: number): void {
    const since = now - k.saidAt;
    if (k.held === 0 || since < this.#intervalMs) return;
    this.#say(
      k.held === 1
        ? k.latest
        : `${k.latest} (${k.held} like this in the last ${Math.round(since / 1000)} s)`,
      kind,
    );
    k.saidAt = now;
    k.held = 0;
  }
}
