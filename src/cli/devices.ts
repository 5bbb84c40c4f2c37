/**
 * `backscrub devices`: lists cameras and v4l2loopback devices with their
 * formats, sizes and frame rates, and says which ones backscrub uses.
 *
 * Also says whether PipeWire runs (backscrub can then publish a PipeWire
 * camera without v4l2loopback), the camera portal, and what each browser
 * needs to read PipeWire cameras.
 *
 * Exit status: 0 when there is a camera and a virtual camera (a v4l2loopback
 * device, or PipeWire running), 1 when either is missing — including a
 * machine with no video devices at all — so scripts and CI can use it as a
 * check. The text says what is missing and how to fix it.
 *
 * @module
 */

import { listDevices } from "../device/list.ts";
import { formatDeviceReport } from "./device_report.ts";
import { readPipewireFacts } from "./pipewire_report.ts";

/** Options of {@linkcode devicesCommand}. */
export interface DevicesCommandOptions {
  /** Print JSON (the `listDevices()` result, and `pipewire`: what PipeWire offers) instead of text. */
  json?: boolean;
  /** Where to print (default `console.log`). */
  print?: (text: string) => void;
}

/**
 * Runs `backscrub devices`.
 *
 * @example
 * ```ts
 * import { devicesCommand } from "./devices.ts";
 * Deno.exitCode = devicesCommand({ json: false });
 * ```
 *
 * @param options JSON output and the print function.
 * @returns The exit status: 0 when a camera and a virtual camera exist, else 1.
 */
export function devicesCommand(options: DevicesCommandOptions = {}): number {
  const print = options.print ?? ((text: string) => console.log(text));
  const list = listDevices();
  const pipewire = readPipewireFacts();
  const report = formatDeviceReport(list, pipewire);
  print(options.json === true ? JSON.stringify({ ...list, pipewire }, null, 2) : report.text);
  return report.ok ? 0 : 1;
}
