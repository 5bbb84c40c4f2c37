/**
 * The text of `backscrub devices`: cameras, virtual cameras and other video
 * nodes with their formats, sizes and frame rates, the defaults, and what is
 * missing with the fix (the device layer's `listDevices()` gives the facts).
 *
 * @module
 */

import type { DeviceInfo, DeviceList, FormatInfo, SizeInfo } from "../device/list.ts";
import { deviceFix, LOOPBACK_FIX, VIDEO_GROUP_FIX } from "./explain.ts";
import { type PipewireFacts, pipewireLines } from "./pipewire_report.ts";

/** The report and whether backscrub has what it needs (a camera and a virtual camera). */
export interface DeviceReport {
  /** The lines to print. */
  text: string;
  /** `true` when a camera exists and a virtual camera can be made (v4l2loopback or PipeWire). */
  ok: boolean;
}

function fpsText(fps: SizeInfo["fps"]): string {
  if (fps === null) return "";
  if (Array.isArray(fps)) return fps.length === 0 ? "" : `: ${fps.join(", ")} fps`;
  return `: ${fps.min}–${fps.max} fps`;
}

function sizesLines(sizes: FormatInfo["sizes"], indent: string): string[] {
  if (sizes === null) return [];
  if (!Array.isArray(sizes)) {
    return [
      `${indent}${sizes.minWidth}x${sizes.minHeight} to ${sizes.maxWidth}x${sizes.maxHeight}`,
    ];
  }
  return sizes.map((s) => `${indent}${s.width}x${s.height}${fpsText(s.fps)}`);
}

/** Groups longer than this list only the formats backscrub reads. */
const MAX_GROUP = 8;

/** Formats, grouping neighbours that share one size table (vivid has 30 such formats). */
function formatLines(formats: FormatInfo[], indent: string): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < formats.length) {
    const key = JSON.stringify(formats[i]!.sizes);
    let j = i + 1;
    while (j < formats.length && JSON.stringify(formats[j]!.sizes) === key) j++;
    const group = formats.slice(i, j);
    if (group.length === 1) {
      const f = group[0]!;
      lines.push(
        `${indent}${f.fourcc} (${f.description})${f.usable ? "" : " — backscrub cannot read it"}`,
      );
    } else {
      // Long groups (vivid has 80 formats) show the readable ones and a count.
      const shown = group.length > MAX_GROUP ? group.filter((f) => f.usable) : group;
      const rest = group.length - shown.length;
      const names = shown.map((f) => `${f.fourcc}${f.usable ? "*" : ""}`).join(", ");
      lines.push(
        `${indent}${names}${
          rest > 0 ? ` and ${rest} more (v4l2-ctl --list-formats shows them)` : ""
        }`,
      );
    }
    lines.push(...sizesLines(group[0]!.sizes, indent + "  "));
    i = j;
  }
  return lines;
}

function header(d: DeviceInfo, tag: string): string {
  const bus = d.busInfo === "" ? "" : `, ${d.busInfo}`;
  return `  ${d.path}  "${d.card}" (driver ${d.driver}${bus})${tag}`;
}

function loopbackLines(d: DeviceInfo, isDefault: boolean): string[] {
  const lines = [header(d, isDefault ? "  [default virtual camera]" : "")];
  if (d.capture) {
    lines.push("    a program is writing to it; readers see:");
    lines.push(...formatLines(d.captureFormats, "      "));
  }
  if (d.output) {
    const usable = d.outputFormats.filter((f) => f.usable).map((f) => f.fourcc);
    const others = d.outputFormats.length - usable.length;
    lines.push(
      `    ${d.capture ? "also takes" : "no writer; takes"} ${
        usable.length > 0 ? usable.join(", ") : "no format backscrub writes"
      }${others > 0 ? ` (and ${others} other formats)` : ""}` +
        (d.capture ? "" : "; with exclusive_caps=1 apps see it only while backscrub writes to it"),
    );
  }
  return lines;
}

/** A device that could not be opened: its error and the fix. */
function deviceLine(d: DeviceInfo): string {
  const error = d.error!;
  const fix = deviceFix({ ...error, path: d.path });
  return fix === null ? error.message : `${error.message} (${fix})`;
}

/**
 * Builds the report.
 *
 * @example
 * ```ts
 * import { listDevices } from "../device/list.ts";
 * import { formatDeviceReport } from "./device_report.ts";
 * const { text, ok } = formatDeviceReport(listDevices());
 * console.log(text);
 * Deno.exitCode = ok ? 0 : 1;
 * ```
 *
 * @param list From `listDevices()`.
 * @param pipewire What PipeWire offers (see `pipewire_report.ts`); omitted: not reported.
 * @returns The text and whether a camera and a virtual camera exist.
 */
export function formatDeviceReport(list: DeviceList, pipewire?: PipewireFacts): DeviceReport {
  const { devices, defaultCamera, defaultLoopback } = list;
  const lines: string[] = [];
  const pipewireCamera = pipewire?.running === true;
  if (devices.length === 0) {
    lines.push("No video devices found (there is no /dev/video* node on this machine).");
    lines.push(
      "Camera: connect one and check that the kernel sees it (sudo dmesg | tail, lsusb).",
    );
    lines.push(
      pipewireCamera
        ? `Virtual camera: no v4l2loopback device; backscrub publishes a PipeWire camera instead (for v4l2loopback: ${LOOPBACK_FIX}).`
        : `Virtual camera: no v4l2loopback device found (${LOOPBACK_FIX}).`,
    );
    if (pipewire !== undefined) lines.push(...pipewireLines(pipewire));
    return { text: lines.join("\n"), ok: false };
  }
  const cameras = devices.filter((d) => d.kind === "capture");
  const loopbacks = devices.filter((d) => d.kind === "loopback");
  const others = devices.filter((d) =>
    (d.kind === "output" || d.kind === "other") && d.error === null
  );
  const broken = devices.filter((d) => d.error !== null);
  lines.push("Cameras:");
  if (cameras.length === 0) lines.push("  none");
  for (const d of cameras) {
    lines.push(header(d, d.path === defaultCamera ? "  [default camera]" : ""));
    lines.push(...formatLines(d.captureFormats, "    "));
  }
  if (cameras.some((d) => d.captureFormats.length > 1)) {
    lines.push("  (* = backscrub can read this format)");
  }
  lines.push("Virtual cameras (v4l2loopback):");
  if (loopbacks.length === 0) lines.push("  none");
  for (const d of loopbacks) lines.push(...loopbackLines(d, d.path === defaultLoopback));
  if (others.length > 0) {
    lines.push("Other video devices (not cameras; backscrub does not use them):");
    for (const d of others) {
      const what = d.output ? "output" : "metadata or other";
      lines.push(header(d, `  ${what}`));
    }
  }
  if (broken.length > 0) {
    lines.push("Devices that could not be opened:");
    for (const d of broken) lines.push(`  ${deviceLine(d)}`);
  }
  if (pipewire !== undefined) lines.push(...pipewireLines(pipewire));
  lines.push("");
  if (defaultCamera !== null && defaultLoopback !== null) {
    lines.push(`backscrub uses: camera ${defaultCamera} → virtual camera ${defaultLoopback}`);
  } else if (defaultCamera !== null && pipewireCamera) {
    lines.push(`backscrub uses: camera ${defaultCamera} → the PipeWire camera "backscrub"`);
  }
  if (defaultCamera === null) {
    const denied = broken.some((d) => d.error?.kind === "permission");
    lines.push(
      denied
        ? `No camera backscrub can open (${VIDEO_GROUP_FIX}).`
        : "No camera found: connect one and check that the kernel sees it (sudo dmesg | tail, lsusb).",
    );
  }
  if (defaultLoopback === null) {
    lines.push(
      pipewireCamera
        ? `No v4l2loopback device (for programs that read only v4l2loopback: ${LOOPBACK_FIX}).`
        : `No v4l2loopback device found (${LOOPBACK_FIX}).`,
    );
  }
  return {
    text: lines.join("\n"),
    ok: defaultCamera !== null && (defaultLoopback !== null || pipewireCamera),
  };
}
