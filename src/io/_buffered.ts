/**
 * A small buffered reader for line-and-block formats (y4m): header lines go through a fixed
 * buffer, frame blocks are read straight into the caller's buffer. Nothing is allocated per read.
 *
 * @module
 */

/** Anything with `Deno.FsFile`'s `read`: fills `p`, returns the byte count or null at the end. */
export interface ByteSource {
  /** Reads up to `p.length` bytes into `p`. */
  read(p: Uint8Array): Promise<number | null>;
}

/** What {@linkcode BufferedReader.readLine} found besides a line. */
export type LineEnd = "eof" | "truncated" | "too long";

const NEWLINE = 0x0a;

/**
 * Reads `\n`-terminated lines and exact-size blocks from a {@linkcode ByteSource}.
 *
 * @example
 * ```ts
 * import { BufferedReader } from "./_buffered.ts";
 * using file = await Deno.open("in.y4m");
 * const reader = new BufferedReader(file);
 * const header = await reader.readLine(); // Uint8Array without the "\n", or "eof" …
 * ```
 */
export class BufferedReader {
  #source: ByteSource;
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;
  #eof = false;

  /**
   * Wraps a source with a fixed line buffer.
   *
   * @param source Where bytes come from.
   * @param options `lineBytes`: the longest line accepted, including its `\n` (default 4096).
   */
  constructor(source: ByteSource, options: { lineBytes?: number } = {}) {
    this.#source = source;
    this.#buffer = new Uint8Array(options.lineBytes ?? 4096);
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    if (this.#start > 0) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buffer.length) return false;
    const n = await this.#source.read(this.#buffer.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    return true;
  }

  /**
   * Reads one line.
   *
   * @returns The line without its `\n` (a view that stays valid until the next call);
   *   `"eof"` at the end with no bytes left; `"truncated"` when the data ends inside a line;
   *   `"too long"` when no `\n` comes within the line buffer.
   */
  async readLine(): Promise<Uint8Array | LineEnd> {
    let scanned = 0; // bytes after #start known to hold no "\n"
    for (;;) {
      const from = this.#start + scanned;
      const at = this.#buffer.subarray(from, this.#end).indexOf(NEWLINE);
      if (at >= 0) {
        const line = this.#buffer.subarray(this.#start, from + at);
        this.#start = from + at + 1;
        return line;
      }
      scanned = this.#end - this.#start;
      if (!(await this.#fill())) {
        if (this.#end - this.#start === this.#buffer.length) return "too long";
        return this.#end === this.#start ? "eof" : "truncated";
      }
    }
  }

  /**
   * Forgets what was read ahead, for a source that was moved (a file seeked back to its first
   * frame): the next read starts at the source's position. Keeps the buffer.
   */
  reset(): void {
    this.#start = 0;
    this.#end = 0;
    this.#eof = false;
  }

  /** The bytes read ahead and not yet consumed (a view, valid until the next read). */
  get pending(): Uint8Array {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /**
   * Fills `into` completely unless the data ends first.
   *
   * @param into The destination; bytes go straight from the source into it.
   * @returns The number of bytes read: `into.length`, or fewer at the end of the data.
   */
  async readFull(into: Uint8Array): Promise<number> {
    const buffered = Math.min(this.#end - this.#start, into.length);
    into.set(this.#buffer.subarray(this.#start, this.#start + buffered));
    this.#start += buffered;
    let filled = buffered;
    while (filled < into.length && !this.#eof) {
      const n = await this.#source.read(into.subarray(filled));
      if (n === null) this.#eof = true;
      else filled += n;
    }
    return filled;
  }
}
