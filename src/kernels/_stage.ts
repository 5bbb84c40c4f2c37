/**
 * Arrays from outside the kernels' memory, copied in for a kernel and back: one staging block
 * per argument slot, grown when needed, and the bytes copied counted (a pipeline whose buffers
 * live in the memory copies none). Internal to `src/kernels/`.
 *
 * @module
 */

import type { Arena } from "./arena.ts";

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Staging blocks for the kernels' arguments. */
export class Stager {
  readonly #arena: Arena;
  readonly #slots: (Uint8Array | null)[] = [];
  /** Bytes copied in and out so far. */
  copied = 0;

  /** @param arena the memory the kernels work in */
  constructor(arena: Arena) {
    this.#arena = arena;
  }

  /**
   * The memory offset of `view`'s first `bytes` bytes, copied into staging slot `slot` when it
   * is not in the memory.
   */
  in(view: ArrayBufferView, bytes: number, slot: number): number {
    if (this.#arena.holds(view)) return view.byteOffset;
    const stage = this.#stage(bytes, slot);
    stage.set(bytesOf(view).subarray(0, bytes));
    this.copied += bytes;
    return stage.byteOffset;
  }

  /** The memory offset a kernel writes `view`'s first `bytes` bytes to (see {@linkcode back}). */
  out(view: ArrayBufferView, bytes: number, slot: number): number {
    return this.#arena.holds(view) ? view.byteOffset : this.#stage(bytes, slot).byteOffset;
  }

  /** The memory offset of slot `slot`'s block, at least `bytes` long: scratch for a kernel. */
  scratch(bytes: number, slot: number): number {
    return this.#stage(bytes, slot).byteOffset;
  }

  /** Copies slot `slot` back into `view` when `view` is not in the memory. */
  back(view: ArrayBufferView, bytes: number, slot: number): void {
    if (this.#arena.holds(view)) return;
    bytesOf(view).set(this.#slots[slot]!.subarray(0, bytes));
    this.copied += bytes;
  }

  #stage(bytes: number, slot: number): Uint8Array {
    let stage = this.#slots[slot] ?? null;
    if (stage === null || stage.length < bytes) {
      if (stage !== null) this.#arena.release(stage);
      stage = this.#arena.bytes(bytes);
      if (!this.#arena.holds(stage)) {
        throw new RangeError(
          `Cannot stage ${bytes} bytes for a kernel: the kernels' memory (${
            this.#arena.byteLength >> 20
          } MiB) is full`,
        );
      }
      this.#slots[slot] = stage;
    }
    return stage;
  }
}
