/**
 * The kernels' one WebAssembly memory and the allocator that hands out views of it.
 *
 * The memory is made once, at its full size, and never grows: growing a WebAssembly memory
 * detaches its `ArrayBuffer`, and with it every view handed out (frame planes, the alpha, the
 * model input ONNX Runtime holds a pointer to). Its pages cost nothing until they are written
 * (the kernel maps them lazily), so the size is a ceiling, not a cost.
 *
 * Blocks are 64-byte aligned (a cache line; SIMD loads need no alignment in WebAssembly, but
 * aligned rows are faster), found first-fit in a free list and merged with their neighbours when
 * released. A block is released by {@linkcode Arena.release} (owners that know when they are
 * done: a pipeline, a mask, a background), or else when its view is garbage collected (a
 * `FinalizationRegistry` as the backstop). Only the view handed out owns its block: keep it (not
 * only a `subarray` of it) for as long as the memory is used. When the memory is full a plain
 * array is handed out instead: the kernels then copy it in and out (slower, still right), and
 * {@linkcode Arena.stats} counts it.
 *
 * @module
 */

/** A typed array the arena hands out. */
export type ArenaView =
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** What the arena holds. */
export interface ArenaStats {
  /** Bytes of the memory in blocks now. */
  used: number;
  /** The most bytes ever in blocks at once. */
  peak: number;
  /** Blocks now. */
  blocks: number;
  /** Views handed out as plain arrays because the memory was full. */
  overflows: number;
}

/**
 * Where typed arrays are made: an {@linkcode Arena} (in the kernels' memory), or
 * {@linkcode PLAIN} (ordinary arrays, for the TypeScript reference paths).
 */
export interface Allocate {
  /** `length` bytes, zeroed. */
  bytes(length: number): Uint8Array;
  /** `length` 16-bit integers, zeroed. */
  int16(length: number): Int16Array;
  /** `length` 32-bit integers, zeroed. */
  int32(length: number): Int32Array;
  /** `length` 32-bit floats, zeroed. */
  float32(length: number): Float32Array;
  /** `length` 64-bit floats, zeroed. */
  float64(length: number): Float64Array;
}

/** Ordinary typed arrays. */
export const PLAIN: Allocate = {
  bytes: (n) => new Uint8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
};

/** A typed array's constructor. */
interface ViewType<T extends ArenaView> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

interface Block {
  length: number;
  /** The view that owns it (released when it is collected). */
  owner: WeakRef<ArenaView>;
}

/** Rounds up to a multiple of 64. */
function align64(n: number): number {
  return (n + 63) & ~63;
}

/** A fixed WebAssembly memory with a block allocator (see the module doc). */
export class Arena implements Allocate {
  /** The memory (imported by the kernels' module). */
  readonly memory: WebAssembly.Memory;
  /** Its size in bytes. */
  readonly byteLength: number;
  /** Free ranges [start, end), sorted, never adjacent. */
  readonly #free: { start: number; end: number }[];
  readonly #blocks = new Map<number, Block>();
  readonly #registry: FinalizationRegistry<{ offset: number; owner: WeakRef<ArenaView> }>;
  #used = 0;
  #peak = 0;
  #overflows = 0;

  /**
   * @param memory the memory, made at its full size (`initial` = `maximum`)
   * @param base where blocks may start (above the module's own static data)
   */
  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.byteLength = memory.buffer.byteLength;
    this.#free = [{ start: align64(Math.max(base, 64)), end: this.byteLength }];
    this.#registry = new FinalizationRegistry(({ offset, owner }) => {
      if (this.#blocks.get(offset)?.owner === owner) this.#freeBlock(offset);
    });
  }

  /** The memory's bytes (one view, valid for the arena's life: the memory never grows). */
  get buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }

  /**
   * Whether `view` lies in the memory (then a kernel takes it as it is).
   *
   * @param view any typed array
   * @returns true when its bytes are the memory's
   */
  holds(view: ArrayBufferView): boolean {
    return view.buffer === this.memory.buffer;
  }

  /** What the arena holds. */
  get stats(): ArenaStats {
    return {
      used: this.#used,
      peak: this.#peak,
      blocks: this.#blocks.size,
      overflows: this.#overflows,
    };
  }

  /**
   * `length` bytes in the memory, zeroed.
   *
   * @param length bytes
   * @returns a view of the memory, or a plain array when the memory is full
   */
  bytes(length: number): Uint8Array {
    return this.#view(Uint8Array, length);
  }

  /** `length` 16-bit integers, zeroed (see {@linkcode bytes}). */
  int16(length: number): Int16Array {
    return this.#view(Int16Array, length);
  }

  /** `length` unsigned 16-bit integers, zeroed (see {@linkcode bytes}). */
  uint16(length: number): Uint16Array {
    return this.#view(Uint16Array, length);
  }

  /** `length` 32-bit integers, zeroed (see {@linkcode bytes}). */
  int32(length: number): Int32Array {
    return this.#view(Int32Array, length);
  }

  /** `length` unsigned 32-bit integers, zeroed (see {@linkcode bytes}). */
  uint32(length: number): Uint32Array {
    return this.#view(Uint32Array, length);
  }

  /** `length` 32-bit floats, zeroed (see {@linkcode bytes}). */
  float32(length: number): Float32Array {
    return this.#view(Float32Array, length);
  }

  /** `length` 64-bit floats, zeroed (see {@linkcode bytes}). */
  float64(length: number): Float64Array {
    return this.#view(Float64Array, length);
  }

  /**
   * Gives a view's block back (a view the arena did not hand out, or a plain array, is ignored;
   * so is a second release). The view must not be used afterwards.
   *
   * @param view a view from this arena
   */
  release(view: ArenaView): void {
    if (!this.holds(view)) return;
    const block = this.#blocks.get(view.byteOffset);
    if (block === undefined || block.owner.deref() !== view) return;
    this.#registry.unregister(view);
    this.#freeBlock(view.byteOffset);
  }

  #view<T extends ArenaView>(type: ViewType<T>, length: number): T {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`Cannot allocate ${length} elements: give a whole number`);
    }
    const bytes = length * type.BYTES_PER_ELEMENT;
    const offset = this.#take(align64(Math.max(1, bytes)));
    if (offset === null) {
      this.#overflows++;
      return new type(length);
    }
    const view = new type(this.buffer, offset, length);
    new Uint8Array(this.buffer, offset, bytes).fill(0);
    const owner = new WeakRef<ArenaView>(view);
    this.#blocks.get(offset)!.owner = owner;
    this.#registry.register(view, { offset, owner }, view);
    return view;
  }

  /** First fit; null when nothing is large enough. */
  #take(length: number): number | null {
    const free = this.#free;
    for (let i = 0; i < free.length; i++) {
      const range = free[i]!;
      if (range.end - range.start < length) continue;
      const offset = range.start;
      range.start += length;
      if (range.start === range.end) free.splice(i, 1);
      this.#blocks.set(offset, { length, owner: new WeakRef(EMPTY) });
      this.#used += length;
      if (this.#used > this.#peak) this.#peak = this.#used;
      return offset;
    }
    return null;
  }

  #freeBlock(offset: number): void {
    const block = this.#blocks.get(offset)!;
    this.#blocks.delete(offset);
    this.#used -= block.length;
    const start = offset, end = offset + block.length;
    const free = this.#free;
    // The first free range after the block; merge with it and with the one before.
    let i = 0;
    while (i < free.length && free[i]!.start < start) i++;
    const before = i > 0 ? free[i - 1]! : null;
    const after = i < free.length ? free[i]! : null;
    if (before !== null && before.end === start) {
      before.end = end;
      if (after !== null && after.start === end) {
        before.end = after.end;
        free.splice(i, 1);
      }
    } else if (after !== null && after.start === end) {
      after.start = start;
    } else {
      free.splice(i, 0, { start, end });
    }
  }
}

/** A placeholder owner while a block's view is being made. */
const EMPTY = new Uint8Array(0);
