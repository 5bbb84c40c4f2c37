/**
 * Which errors are the user's to fix (printed as one line, no stack trace) and the usage error.
 *
 * @module
 */

import { LibraryLoadError } from "../../ffi/_library.ts";
import { LibcError } from "../../ffi/libc/mod.ts";
import { OrtError } from "../../ffi/onnxruntime/mod.ts";
import { JpegError } from "../../ffi/turbojpeg/mod.ts";
import { PipewireError } from "../../ffi/pipewire/mod.ts";
import { ConvertError } from "../convert/errors.ts";
import { TfliteError } from "../convert/tflite.ts";
import { ImageError } from "../image/types.ts";
import { ManifestError } from "../models/manifest.ts";
import { ModelError } from "../models/resolve.ts";
import { MediaFileError } from "../io/errors.ts";
import { BackgroundError } from "../background/errors.ts";
import { DeviceError } from "../device/errors.ts";

/** A wrong command line: printed with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {
  /** @param message what is wrong with the command line */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const USER_ERRORS = [
  UsageError,
  ConvertError,
  TfliteError,
  ImageError,
  ManifestError,
  ModelError,
  OrtError,
  LibraryLoadError,
  LibcError,
  JpegError,
  PipewireError,
  DeviceError,
  MediaFileError,
  BackgroundError,
];

/**
 * Whether an error is about the user's input or environment (a missing file, a broken model, a
 * wrong flag) rather than a bug in backscrub.
 */
export function isUserError(e: unknown): e is Error {
  if (USER_ERRORS.some((cls) => e instanceof cls)) return true;
  // File system errors on paths the user gave.
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied ||
    e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.AlreadyExists;
}
