/**
 * A small, bounds-checked FlatBuffers reader.
 *
 * The `flatbuffers` npm runtime reads without verifying: on a truncated or mutated file it returns
 * garbage or reads past the end. The converter must turn every bad file into one clear error, so
 * this reader checks every offset it follows and throws {@linkcode FlatBufferError} instead.
 * It implements only what a schema-less reader needs: tables, vtables, scalars, vectors and strings.
 *
 * @module
 */

/** A structural problem in a FlatBuffer: an offset out of range, a bad vtable, a bad string. */
export class FlatBufferError extends Error {
  /** @param message what is wrong, e.g. `table at 12 points past the end of the file` */
  constructor(message: string) {
    super(message);
    this.name = "FlatBufferError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A view of one table inside a buffer; field `i` is the i-th field of the schema table. */
export class Table {
  readonly #view: DataView;
  readonly #pos: number;
  readonly #vtable: number;
  readonly #vtableSize: number;
  readonly #tableSize: number;

  /**
   * @param view the whole buffer
   * @param pos the byte offset of the table
   */
  constructor(view: DataView, pos: number) {
    this.#view = view;
    this.#pos = pos;
    need(view, pos, 4, "table");
    const vt = pos - view.getInt32(pos, true);
    need(view, vt, 4, "vtable");
    this.#vtable = vt;
    this.#vtableSize = view.getUint16(vt, true);
    this.#tableSize = view.getUint16(vt + 2, true);
    if (this.#vtableSize < 4 || this.#vtableSize % 2 !== 0) {
      throw new FlatBufferError(`vtable at ${vt} has an invalid size ${this.#vtableSize}`);
    }
    need(view, vt, this.#vtableSize, "vtable");
    need(view, pos, this.#tableSize, "table");
  }

  /** The byte offset of field `i` in the buffer, or 0 when the field is absent. */
  #field(i: number, size: number): number {
    const slot = 4 + 2 * i;
    if (slot + 2 > this.#vtableSize) return 0;
    const off = this.#view.getUint16(this.#vtable + slot, true);
    if (off === 0) return 0;
    if (off + size > this.#tableSize) {
      throw new FlatBufferError(`field ${i} of the table at ${this.#pos} lies outside the table`);
    }
    return this.#pos + off;
  }

  /** Whether field `i` is present. */
  has(i: number): boolean {
    return this.#field(i, 1) !== 0;
  }

  /** An 8-bit signed field. */
  i8(i: number, dflt = 0): number {
    const p = this.#field(i, 1);
    return p ? this.#view.getInt8(p) : dflt;
  }

  /** An 8-bit unsigned field (also bool and ubyte enums). */
  u8(i: number, dflt = 0): number {
    const p = this.#field(i, 1);
    return p ? this.#view.getUint8(p) : dflt;
  }

  /** A bool field. */
  bool(i: number, dflt = false): boolean {
    const p = this.#field(i, 1);
    return p ? this.#view.getUint8(p) !== 0 : dflt;
  }

  /** A 32-bit signed field. */
  i32(i: number, dflt = 0): number {
    const p = this.#field(i, 4);
    return p ? this.#view.getInt32(p, true) : dflt;
  }

  /** A 32-bit unsigned field. */
  u32(i: number, dflt = 0): number {
    const p = this.#field(i, 4);
    return p ? this.#view.getUint32(p, true) : dflt;
  }

  /** A 32-bit float field. */
  f32(i: number, dflt = 0): number {
    const p = this.#field(i, 4);
    return p ? this.#view.getFloat32(p, true) : dflt;
  }

  /** A 64-bit unsigned field, as a number (exact below 2^53, which is all a file offset needs). */
  u64(i: number, dflt = 0): number {
    const p = this.#field(i, 8);
    return p ? Number(this.#view.getBigUint64(p, true)) : dflt;
  }

  /** Follows the uoffset stored at field `i`; 0 when absent. */
  #indirect(i: number, what: string): number {
    const p = this.#field(i, 4);
    if (!p) return 0;
    const target = p + this.#view.getUint32(p, true);
    need(this.#view, target, 4, what);
    return target;
  }

  /** A sub-table field, or null when absent. */
  table(i: number): Table | null {
    const p = this.#indirect(i, "table");
    return p ? new Table(this.#view, p) : null;
  }

  /** A string field, or null when absent. */
  string(i: number): string | null {
    const bytes = this.bytes(i);
    if (bytes === null) return null;
    try {
      return utf8.decode(bytes);
    } catch {
      throw new FlatBufferError(`string field ${i} of the table at ${this.#pos} is not UTF-8`);
    }
  }

  /** A vector of bytes, as a view into the buffer (not a copy), or null when absent. */
  bytes(i: number): Uint8Array | null {
    const v = this.#vector(i, 1);
    if (!v) return null;
    return new Uint8Array(this.#view.buffer, this.#view.byteOffset + v.start, v.length);
  }

  /** A vector of int32, copied, or null when absent. */
  i32s(i: number): number[] | null {
    const v = this.#vector(i, 4);
    if (!v) return null;
    const out: number[] = new Array(v.length);
    for (let k = 0; k < v.length; k++) out[k] = this.#view.getInt32(v.start + 4 * k, true);
    return out;
  }

  /** A vector of float32, copied, or null when absent. */
  f32s(i: number): number[] | null {
    const v = this.#vector(i, 4);
    if (!v) return null;
    const out: number[] = new Array(v.length);
    for (let k = 0; k < v.length; k++) out[k] = this.#view.getFloat32(v.start + 4 * k, true);
    return out;
  }

  /** A vector of tables, or an empty array when absent. */
  tables(i: number): Table[] {
    const v = this.#vector(i, 4);
    if (!v) return [];
    const out: Table[] = new Array(v.length);
    for (let k = 0; k < v.length; k++) {
      const p = v.start + 4 * k;
      const target = p + this.#view.getUint32(p, true);
      need(this.#view, target, 4, "table");
      out[k] = new Table(this.#view, target);
    }
    return out;
  }

  #vector(i: number, elem: number): { start: number; length: number } | null {
    const p = this.#indirect(i, "vector");
    if (!p) return null;
    const length = this.#view.getUint32(p, true);
    need(this.#view, p + 4, length * elem, "vector");
    return { start: p + 4, length };
  }
}

function need(view: DataView, pos: number, size: number, what: string): void {
  if (!Number.isSafeInteger(pos) || pos < 0 || size < 0 || pos + size > view.byteLength) {
    throw new FlatBufferError(
      `${what} at ${pos} (${size} bytes) points outside the ${view.byteLength}-byte file`,
    );
  }
}

/**
 * Opens the root table of a FlatBuffer.
 *
 * @param bytes the whole file
 * @param identifier the 4-character file identifier to require (e.g. `"TFL3"`), if any
 * @returns the root table
 * @example
 * ```ts
 * const root = rootTable(await Deno.readFile("model.tflite"), "TFL3");
 * console.log(root.u32(0)); // schema version
 * ```
 */
export function rootTable(bytes: Uint8Array, identifier?: string): Table {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new FlatBufferError(`file is only ${bytes.byteLength} bytes`);
  if (identifier !== undefined) {
    const id = String.fromCharCode(...bytes.subarray(4, 8));
    if (id !== identifier) {
      throw new FlatBufferError(`file identifier is "${printable(id)}", not "${identifier}"`);
    }
  }
  return new Table(view, view.getUint32(0, true));
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?");
}
