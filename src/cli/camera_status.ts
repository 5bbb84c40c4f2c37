/**
 * What the live command says when the camera goes away and comes back (one line per change of
 * `ResilientSource.state`, never one per frame), and the summary's figure.
 *
 * @module
 */

import type { CameraChange, ResilientSource } from "../device/resilient_source.ts";
import { explain } from "./explain.ts";

/**
 * The log line for a change of the camera's state.
 *
 * @example
 * ```ts
 * import { DeviceError } from "../device/errors.ts";
 * import { cameraChangeLine } from "./camera_status.ts";
 * const error = new DeviceError("disconnected", 'Cannot capture from "/dev/video0": the device stopped answering (ENODEV)');
 * cameraChangeLine({ state: "lost", previous: "streaming", error, awayMs: null, path: "/dev/video0" });
 * // backscrub: camera lost: Cannot capture from "/dev/video0": the device stopped answering (ENODEV); …
 * ```
 *
 * @param change the change
 * @returns one line
 */
export function cameraChangeLine(change: CameraChange): string {
  const why = change.error?.message.replace(/\s+/g, " ") ?? "";
  switch (change.state) {
    case "streaming":
      return `backscrub: camera back: ${change.path} sends frames again after ${
        ((change.awayMs ?? 0) / 1000).toFixed(1)
      } s`;
    case "silent":
      return `backscrub: camera silent: ${why}; sending the last frame, then a "camera unavailable" notice, until frames come again`;
    case "lost":
      return `backscrub: camera lost: ${why}; sending the last frame, then a "camera unavailable" notice, and looking for it until it is back`;
    case "busy":
      return `backscrub: camera busy: ${
        change.error === null ? "" : explain(change.error)
      }; sending a "camera unavailable" notice and trying again until it is free`;
  }
}

/**
 * The camera's state for the control panel's status: `"streaming"`, `"silent"`, `"lost"` or
 * `"busy"`, and why in one line (`null` while it streams).
 *
 * @param source the camera
 * @returns the two fields
 */
export function cameraStatus(source: ResilientSource): { state: string; problem: string | null } {
  const error = source.error;
  return { state: source.state, problem: error === null ? null : explain(error) };
}

/**
 * The summary's words for the camera's absences, e.g. `, camera away 2x for 12.3 s`; empty when
 * it never went away.
 *
 * @param source the camera
 * @returns the phrase
 */
export function cameraSummary(source: ResilientSource): string {
  return source.outages === 0
    ? ""
    : `, camera away ${source.outages}x for ${(source.outageMs / 1000).toFixed(1)} s`;
}
