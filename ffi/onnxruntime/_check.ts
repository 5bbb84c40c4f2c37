/**
 * Small helpers over the raw API (layer 2 of 3, internal): the one status check, out-pointers and
 * C strings.
 *
 * @module
 */

import type { OrtApi } from "./_load.ts";

/** `OrtErrorCode` names, by value. */
const ERROR_CODE_NAMES = [
  "ORT_OK",
  "ORT_FAIL",
  "ORT_INVALID_ARGUMENT",
  "ORT_NO_SUCHFILE",
  "ORT_NO_MODEL",
  "ORT_ENGINE_ERROR",
  "ORT_RUNTIME_EXCEPTION",
  "ORT_INVALID_PROTOBUF",
  "ORT_MODEL_LOADED",
  "ORT_NOT_IMPLEMENTED",
  "ORT_INVALID_GRAPH",
  "ORT_EP_FAIL",
] as const;

/** An error reported by ONNX Runtime through an `OrtStatus`. */
export class OrtError extends Error {
  /** The `OrtErrorCode` (e.g. 2 = `ORT_INVALID_ARGUMENT`, 7 = `ORT_INVALID_PROTOBUF`). */
  readonly code: number;
  /** ORT's own message, without the context this binding prepended. */
  readonly ortMessage: string;

  /**
   * Builds the message `<context>: <ORT message>`.
   *
   * @param context what was being done, e.g. `Cannot create ONNX Runtime session from "x.onnx"`
   * @param code the `OrtErrorCode`
   * @param ortMessage the status message
   */
  constructor(context: string, code: number, ortMessage: string) {
    super(`${context}: ${ortMessage || (ERROR_CODE_NAMES[code] ?? `error ${code}`)}`);
    this.name = "OrtError";
    this.code = code;
    this.ortMessage = ortMessage;
  }

  /** The `OrtErrorCode` name, e.g. `"ORT_INVALID_PROTOBUF"`. */
  get codeName(): string {
    return ERROR_CODE_NAMES[this.code] ?? `ORT_ERROR_${this.code}`;
  }
}

/**
 * Turns an `OrtStatus *` into an exception: for a non-NULL status, copies its message and code,
 * releases it, and throws.
 *
 * @param api the bound API
 * @param status the value an `OrtApi` function returned
 * @param context what was being done, placed before ORT's message
 * @throws {OrtError} when `status` is not NULL
 */
export function check(api: OrtApi, status: Deno.PointerValue, context: string): void {
  if (status === null) return;
  const message = api.GetErrorMessage.call(status);
  const text = message === null ? "" : Deno.UnsafePointerView.getCString(message);
  const code = api.GetErrorCode.call(status);
  api.ReleaseStatus.call(status);
  throw new OrtError(context, code, text);
}

/** A one-pointer out-parameter (`T **out`, `size_t *out`). */
export function outPointer(): BigUint64Array {
  return new BigUint64Array(1);
}

/**
 * Reads the pointer an out-parameter received.
 *
 * @param out from {@linkcode outPointer}
 * @param what names the object, for the error when it is NULL
 * @returns the non-NULL pointer
 */
export function readPointer(out: BigUint64Array, what: string): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(out[0] ?? 0n);
  if (pointer === null) throw new Error(`Cannot read ${what}: ONNX Runtime returned NULL`);
  return pointer;
}

/** Reads a `size_t` out-parameter. */
export function readSize(out: BigUint64Array): number {
  return Number(out[0] ?? 0n);
}

const encoder = new TextEncoder();

/** Encodes a NUL-terminated UTF-8 C string. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text + "\0");
}

/**
 * Encodes a C string into its own fixed-size `ArrayBuffer`, so that its address stays valid for as
 * long as the array is referenced (small typed arrays made otherwise may live inside the V8 heap,
 * which moves them).
 */
export function pinnedCString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = cString(text);
  const pinned = new Uint8Array(new ArrayBuffer(bytes.length));
  pinned.set(bytes);
  return pinned;
}

/** The address of a pinned buffer, as stored in a C pointer array. */
export function addressOf(buffer: ArrayBufferView<ArrayBuffer>): bigint {
  return Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer));
}
