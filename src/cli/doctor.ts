/**
 * `backscrub doctor`: checks everything live use needs and explains each problem on one line
 * with its fix — the v4l2loopback module and its parameters, the virtual camera, access to the
 * video devices, the camera and its formats, the three native libraries and their versions, the
 * models, the settings file, ffmpeg and free CPU cores. Exit status 0 only when live use will work.
 *
 * The checks are small functions over what was read from the system (sysfs text, the device
 * list, group files), so each one is tested on its own; {@linkcode runDoctor} gathers the facts.
 *
 * @module
 */

import { join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { turbojpegInfo } from "../../ffi/turbojpeg/mod.ts";
import { loadV4l2 } from "../../ffi/v4l2/_library.ts";
import { describeHolders, findHolders } from "../device/holders.ts";
import { devicePath } from "../device/formats.ts";
import { type DeviceInfo, type DeviceList, type FormatInfo, listDevices } from "../device/list.ts";
import { isFileSpec } from "../io/mod.ts";
import { modelDirs, resolveModel } from "../models/resolve.ts";
import { Segmenter } from "../segment/segmenter.ts";
import {
  deviceFix,
  type Distro,
  distroFamily,
  fixFor,
  installCommand,
  LOOPBACK_FIX,
  MODPROBE_COMMAND,
  RELOAD_LOOPBACK,
  VIDEO_GROUP_FIX,
} from "./explain.ts";
import { loadedLibraryFile, packageOf, turbojpegVersion } from "./libraries.ts";
import { isPipewireSpec, pipewireNames } from "../device/pipewire_sink.ts";
import { pipewireChecks, type PipewireFacts, readPipewireFacts } from "./pipewire_report.ts";
import type { LiveOptions } from "./options.ts";

/** How a check came out: `fail` means live use will not work. */
export type CheckStatus = "ok" | "warn" | "fail";

/** One line of the report. */
export interface Check {
  /** The outcome. */
  status: CheckStatus;
  /** What was found, one line. */
  text: string;
  /** What to do about it (for `warn` and `fail`). */
  fix?: string;
}

/** What `/sys/module/v4l2loopback` says. */
export interface LoopbackModule {
  /** Whether the module is loaded (the folder exists). */
  loaded: boolean;
  /** Whether the module file is installed for the running kernel (from `modules.dep`). */
  installed: boolean | null;
  /** `version`, e.g. `"0.12.7"`, when the module says. */
  version: string | null;
  /** The parameters by name (`exclusive_caps` → `"Y,N,N,..."`). */
  parameters: Record<string, string>;
}

/**
 * Reads the v4l2loopback module's state.
 *
 * @param sysRoot `/sys` (a fake tree in tests)
 * @param modulesDep the running kernel's `modules.dep` text, or null when unknown
 * @returns what the module says
 */
export function readLoopbackModule(sysRoot: string, modulesDep: string | null): LoopbackModule {
  const dir = join(sysRoot, "module", "v4l2loopback");
  const read = (path: string): string | null => {
    try {
      return Deno.readTextFileSync(path).trim();
    } catch {
      return null;
    }
  };
  let loaded = false;
  try {
    loaded = Deno.statSync(dir).isDirectory;
  } catch {
    // not loaded
  }
  const parameters: Record<string, string> = {};
  if (loaded) {
    try {
      for (const entry of Deno.readDirSync(join(dir, "parameters"))) {
        const value = read(join(dir, "parameters", entry.name));
        if (value !== null) parameters[entry.name] = value;
      }
    } catch {
      // no parameters folder (or not readable)
    }
  }
  return {
    loaded,
    installed: modulesDep === null ? null : /(^|\/)v4l2loopback\.ko/m.test(modulesDep),
    version: loaded ? read(join(dir, "version")) : null,
    parameters,
  };
}

/** The first `n` entries of an array parameter (`"10,-1,-1"` → `["10"]` for n = 1). */
function firstEntries(value: string | undefined, n: number): string[] {
  return (value ?? "").split(",").slice(0, Math.max(1, n));
}

/**
 * Checks the v4l2loopback module: loaded, and its `max_buffers`.
 *
 * @param module from {@linkcode readLoopbackModule}
 * @param distro for the install command
 * @returns one line
 */
export function checkModule(module: LoopbackModule, distro: Distro): Check {
  if (!module.loaded) {
    if (module.installed === false) {
      return {
        status: "fail",
        text: "v4l2loopback is not installed for this kernel",
        fix: `${installCommand(distro, "loopback")}, then ${LOOPBACK_FIX}`,
      };
    }
    return {
      status: "fail",
      text: "v4l2loopback is not loaded",
      fix: module.installed === true
        ? LOOPBACK_FIX
        : `install it if needed (${installCommand(distro, "loopback")}), then ${LOOPBACK_FIX}`,
    };
  }
  const p = module.parameters;
  // v4l2loopback 0.12 shows no `devices` parameter: count the device numbers asked for instead.
  const asked = (p.video_nr ?? "").split(",").filter((n) => n !== "" && n !== "-1").length;
  const devices = Number(p.devices) || asked || 1;
  const shown: string[] = [];
  if (p.devices !== undefined) shown.push(`devices=${p.devices}`);
  if (p.exclusive_caps !== undefined) {
    shown.push(`exclusive_caps=${firstEntries(p.exclusive_caps, devices).join(",")}`);
  }
  if (p.max_buffers !== undefined) shown.push(`max_buffers=${p.max_buffers}`);
  if (p.video_nr !== undefined) shown.push(`video_nr=${firstEntries(p.video_nr, devices)}`);
  if (p.card_label !== undefined && p.card_label !== "") {
    shown.push(`card_label=${firstEntries(p.card_label, devices)}`);
  }
  const version = module.version === null ? "" : ` ${module.version}`;
  const text = `v4l2loopback${version} loaded${shown.length > 0 ? `: ${shown.join(", ")}` : ""}`;
  const maxBuffers = Number(p.max_buffers);
  if (p.max_buffers !== undefined && Number.isFinite(maxBuffers) && maxBuffers < 2) {
    return {
      status: "fail",
      text: `${text}: max_buffers=${p.max_buffers} is too few to stream`,
      fix:
        `reload it with 2 or more buffers: sudo modprobe -r v4l2loopback && ${MODPROBE_COMMAND} max_buffers=2`,
    };
  }
  if (p.max_buffers !== undefined && maxBuffers > 2) {
    return {
      status: "warn",
      text: `${text}: Chrome has been seen to need max_buffers=2 (the default)`,
      fix:
        `if Chrome shows no picture, reload it: sudo modprobe -r v4l2loopback && ${MODPROBE_COMMAND} max_buffers=2`,
    };
  }
  return { status: "ok", text };
}

/** Formats a device's usable capture formats: `YUYV up to 1280x720, MJPG up to 1920x1080`. */
function formatsText(formats: FormatInfo[]): string {
  const biggest = (f: FormatInfo): string => {
    if (f.sizes === null) return "";
    if (!Array.isArray(f.sizes)) return ` up to ${f.sizes.maxWidth}x${f.sizes.maxHeight}`;
    const top = [...f.sizes].sort((a, b) => b.width * b.height - a.width * a.height)[0];
    return top ? ` up to ${top.width}x${top.height}` : "";
  };
  return formats.filter((f) => f.usable).map((f) => `${f.fourcc}${biggest(f)}`).join(", ");
}

/** The fix for a device that could not be opened, from its error's kind. */
function openFix(device: DeviceInfo, purpose: "camera" | "virtual"): string {
  return deviceFix({ ...device.error!, path: device.path, purpose }) ?? "see the message";
}

/** How to name a device in a fix: the flag and the settings-file key. */
function chooseDevice(flag: "-c" | "-v", key: string, path: string): string {
  return `use ${flag} ${path} (or "${key}": "${path}" in the settings file)`;
}

/**
 * Checks the camera live use would open.
 *
 * @param list the video devices
 * @param capture the `-c` setting
 * @returns one line
 */
export function checkCamera(list: DeviceList, capture: string): Check {
  if (isFileSpec(capture)) {
    try {
      Deno.statSync(capture.includes("%") || capture.includes("*") ? join(capture, "..") : capture);
      return { status: "ok", text: `capture: the file "${capture}"` };
    } catch {
      return {
        status: "fail",
        text: `capture: the file "${capture}" does not exist`,
        fix: "check the path given with -c",
      };
    }
  }
  const path = devicePath(capture);
  const cameras = list.devices.filter((d) => d.kind === "capture");
  const others = cameras.filter((d) => d.path !== path).map((d) => d.path);
  const device = list.devices.find((d) => d.path === path);
  if (device === undefined) {
    return {
      status: "fail",
      text: `no camera at ${path}` +
        (cameras.length === 0 ? " (no camera found at all)" : ` (cameras: ${others.join(", ")})`),
      fix: cameras.length === 0
        ? "plug in a camera (ls /dev/video* lists video devices; in a VM, pass a USB camera through)"
        : chooseDevice("-c", "capture", list.defaultCamera ?? others[0]!),
    };
  }
  if (device.error !== null) {
    return {
      status: "fail",
      text: `cannot open the camera ${path}: ${device.error.message}`,
      fix: openFix(device, "camera"),
    };
  }
  if (device.kind !== "capture") {
    const what = device.kind === "loopback" ? "the virtual camera" : `a ${device.kind} device`;
    return {
      status: "fail",
      text: `${path} ("${device.card}") is ${what}, not a camera`,
      fix: list.defaultCamera
        ? chooseDevice("-c", "capture", list.defaultCamera)
        : "plug in a camera",
    };
  }
  const usable = formatsText(device.captureFormats);
  if (usable === "") {
    const all = device.captureFormats.map((f) => f.fourcc).join(", ") || "none";
    return {
      status: "fail",
      text: `camera ${path} ("${device.card}") has no format backscrub reads (it offers ${all})`,
      fix: list.defaultCamera && list.defaultCamera !== path
        ? chooseDevice("-c", "capture", list.defaultCamera)
        : "use a camera that offers YUYV, MJPG, NV12 or YU12",
    };
  }
  return {
    status: "ok",
    text: `camera ${path} ("${device.card}", ${device.driver}): ${usable}`,
  };
}

/**
 * Checks the virtual camera live use would write to: present, writable, `exclusive_caps` on
 * (Chrome, Zoom and Teams list only such devices), not taken by another writer.
 *
 * @param list the video devices
 * @param virtual the `-v` setting (null: the first v4l2loopback device)
 * @param module the module's state (for the message when it is not loaded)
 * @param holders who holds a device open (for a busy device)
 * @param isVirtualNode whether a device node is a virtual one (v4l2loopback's live under
 *   `/sys/devices/virtual/video4linux`), to name the right one when none can be opened
 * @returns one or two lines
 */
export function checkVirtual(
  list: DeviceList,
  virtual: string | null,
  module: LoopbackModule,
  holders: (path: string) => string = (path) => describeHolders(findHolders(path)),
  isVirtualNode: (path: string) => boolean = virtualNode,
): Check[] {
  if (virtual !== null && isFileSpec(virtual)) {
    return [{ status: "ok", text: `output: the file "${virtual}"` }];
  }
  const loopbacks = list.devices.filter((d) => d.kind === "loopback");
  const path = virtual === null ? list.defaultLoopback : devicePath(virtual);
  if (path === null) {
    // Devices that could not be opened may still be loopbacks: say why they were not checked.
    const refused = list.devices.filter((d) => d.error?.kind === "permission");
    const denied = refused.find((d) => isVirtualNode(d.path)) ?? refused[0];
    if (denied) {
      return [{
        status: "fail",
        text: `cannot open ${denied.path} to see whether it is the virtual camera: ${
          denied.error!.message
        }`,
        fix: VIDEO_GROUP_FIX,
      }];
    }
    return [{
      status: "fail",
      text: module.loaded
        ? "no virtual camera: v4l2loopback is loaded but made no device"
        : "no virtual camera (v4l2loopback is not loaded)",
      fix: module.loaded
        ? `reload it: ${RELOAD_LOOPBACK}`
        : "load v4l2loopback (see the line above)",
    }];
  }
  const device = list.devices.find((d) => d.path === path);
  if (device === undefined) {
    return [{
      status: "fail",
      text: `no virtual camera at ${path}`,
      fix: loopbacks.length > 0 ? chooseDevice("-v", "virtual", loopbacks[0]!.path) : LOOPBACK_FIX,
    }];
  }
  if (device.error !== null) {
    return [{
      status: "fail",
      text: `cannot open the virtual camera ${path}: ${device.error.message}`,
      fix: openFix(device, "virtual"),
    }];
  }
  if (device.kind !== "loopback") {
    return [{
      status: "fail",
      text: `${path} ("${device.card}", ${device.driver}) is not a v4l2loopback device`,
      fix: loopbacks.length > 0 ? chooseDevice("-v", "virtual", loopbacks[0]!.path) : LOOPBACK_FIX,
    }];
  }
  return loopbackLines(device, holders);
}

/** Whether `/dev/videoN` is a virtual device (v4l2loopback's are), from sysfs. */
function virtualNode(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  try {
    return Deno.realPathSync(`/sys/class/video4linux/${name}`).includes("/devices/virtual/");
  } catch {
    return false;
  }
}

function loopbackLines(device: DeviceInfo, holders: (path: string) => string): Check[] {
  const name = `virtual camera ${device.path} ("${device.card}")`;
  // exclusive_caps=1: idle = output only, while a writer streams = capture only. Both at once
  // means exclusive_caps=0, which Chrome, Zoom and Teams do not list.
  if (device.capture && !device.output) {
    return [{
      status: "fail",
      text: `${name} is taken: another program is writing to it (${holders(device.path)})`,
      fix: "stop that program (a backscrub service? systemctl --user stop backscrub)",
    }];
  }
  const lines: Check[] = [{ status: "ok", text: `${name}: writable` }];
  if (device.capture && device.output) {
    lines.push({
      status: "warn",
      text: `${device.path} has exclusive_caps off: Chrome, Zoom and Teams will not list it`,
      fix: `reload v4l2loopback: ${RELOAD_LOOPBACK}`,
    });
  } else {
    lines[0]!.text += ", exclusive_caps=1 (browsers, Zoom and Teams list it)";
  }
  return lines;
}

/** Who the process runs as, and its groups. */
export interface Identity {
  /** The user id (null when unknown). */
  uid: number | null;
  /** The user name (from `/etc/passwd`), or `uid N`. */
  name: string;
  /** The process's groups (`Gid` and `Groups` of `/proc/self/status`). */
  gids: number[];
}

/**
 * Reads who the process runs as.
 *
 * @param uid the user id
 * @param procStatus the text of `/proc/self/status`
 * @param passwd the text of `/etc/passwd`
 * @returns the identity
 */
export function identity(uid: number | null, procStatus: string, passwd: string): Identity {
  const gids = new Set<number>();
  const gid = /^Gid:\s+(\d+)/m.exec(procStatus)?.[1];
  if (gid !== undefined) gids.add(Number(gid));
  for (const g of (/^Groups:\s*(.*)$/m.exec(procStatus)?.[1] ?? "").split(/\s+/)) {
    if (/^\d+$/.test(g)) gids.add(Number(g));
  }
  const name = passwd.split("\n").map((l) => l.split(":")).find((f) => Number(f[2]) === uid)
    ?.[0];
  return { uid, name: name ?? (uid === null ? "this user" : `uid ${uid}`), gids: [...gids] };
}

/**
 * Checks that the user can open the video devices: root, or the `video` group, or the desktop
 * seat's access (logind ACLs) with no device refused.
 *
 * @param who the process's identity
 * @param groupFile the text of `/etc/group`
 * @param list the video devices (a refused device has a permission error)
 * @returns one line
 */
export function checkAccess(who: Identity, groupFile: string, list: DeviceList): Check {
  if (who.uid === 0) {
    return {
      status: "ok",
      text: "running as root: every video device is open to you " +
        "(the service runs as your own user: that user needs the video group)",
    };
  }
  const denied = list.devices.filter((d) => d.error?.kind === "permission");
  const video = groupFile.split("\n").map((l) => l.split(":")).find((f) => f[0] === "video");
  if (video === undefined) {
    return denied.length === 0
      ? { status: "ok", text: `${who.name} can open the video devices (no video group here)` }
      : {
        status: "fail",
        text: `${who.name} cannot open ${denied.map((d) => d.path).join(", ")}`,
        fix: "ask your administrator for access to /dev/video* (ls -l /dev/video* shows the owner)",
      };
  }
  const gid = Number(video[2]);
  const members = (video[3] ?? "").split(",").filter((m) => m !== "");
  if (who.gids.includes(gid)) {
    return denied.length === 0 ? { status: "ok", text: `${who.name} is in the video group` } : {
      status: "fail",
      text: `${who.name} is in the video group but cannot open ${
        denied.map((d) => d.path).join(", ")
      }`,
      fix: "check the device permissions: ls -l /dev/video* (they should be group video, rw)",
    };
  }
  if (members.includes(who.name)) {
    return {
      status: denied.length > 0 ? "fail" : "warn",
      text: `${who.name} was added to the video group after this login started`,
      fix: "log out and in again (or run: newgrp video)",
    };
  }
  if (denied.length > 0) {
    return {
      status: "fail",
      text: `${who.name} is not in the video group and cannot open ${
        denied.map((d) => d.path).join(", ")
      }`,
      fix: VIDEO_GROUP_FIX,
    };
  }
  return {
    status: "warn",
    text: `${who.name} is not in the video group (the desktop session gives access now, ` +
      "a service started without a login may not get it)",
    fix: VIDEO_GROUP_FIX,
  };
}

/**
 * Checks that the CPU has room: backscrub needs about one core at 30 fps with `-t 1`.
 *
 * @param cores the cores this process may use
 * @param load the 1-minute load average (null when unknown)
 * @param threads the `-t` setting
 * @returns one line
 */
export function checkCpu(cores: number, load: number | null, threads: number): Check {
  if (load === null) {
    return { status: "ok", text: `CPU: ${cores} core${cores === 1 ? "" : "s"} (load unknown)` };
  }
  const free = Math.max(0, cores - load);
  const text = `CPU: ${cores} core${cores === 1 ? "" : "s"}, load ${load.toFixed(2)}, about ${
    free.toFixed(1)
  } free`;
  if (free < 1) {
    return {
      status: "warn",
      text: `${text}: frames may be dropped`,
      fix: "close busy programs, or lower the rate: --fps 15",
    };
  }
  if (threads > Math.max(1, Math.floor(free))) {
    return {
      status: "warn",
      text: `${text}, but ${threads} model threads are asked for`,
      fix: `use -t ${Math.max(1, Math.floor(free))} (or "threads" in the settings file)`,
    };
  }
  return { status: "ok", text: `${text} (backscrub needs about 1 at 30 fps)` };
}

/**
 * Firefox's camera code (libwebrtc's V4L2 capture) assumes at most 15 fps for an uncompressed
 * camera 800 or more pixels wide: a 1280x720 YUYV virtual camera gives Firefox users 15 fps.
 * MJPG frames (`--out-format MJPG`, about 3 ms of CPU per 720p frame) get the full rate.
 *
 * @param live the options
 * @returns an ok line, or a warning with the option that fixes it
 */
export function checkFirefoxRate(
  live: Pick<LiveOptions, "outputFormat" | "virtualSize" | "captureSize">,
): Check {
  const width = (live.virtualSize ?? live.captureSize)?.width ?? null;
  if (live.outputFormat === "MJPG") {
    return { status: "ok", text: "virtual camera in MJPG: Firefox reads it at the full rate" };
  }
  if (width !== null && width < 800) {
    return {
      status: "ok",
      text:
        `virtual camera ${width} wide in ${live.outputFormat}: Firefox reads it at the full rate`,
    };
  }
  return {
    status: "warn",
    text: `virtual camera in ${live.outputFormat}${
      width === null ? "" : `, ${width} wide`
    }: Firefox reads uncompressed cameras 800 or more wide at 15 fps at most (Chrome, Zoom and OBS at the full rate)`,
    fix:
      "for Firefox at the full rate add --out-format MJPG (about 3 ms of CPU per 720p frame), or --vg 640x360",
  };
}

/** Options of {@linkcode runDoctor}. */
export interface DoctorOptions {
  /** The live options (from the settings file and the command line). */
  live: LiveOptions;
  /** The settings file read, or null. */
  configPath: string | null;
  /** How many settings it gave. */
  configSettings?: number;
  /** The settings file's mistake, when it has one (the rest is checked without the file). */
  configError?: string;
  /** `/sys` (tests point it elsewhere). */
  sysRoot?: string;
  /** `/etc`. */
  etcRoot?: string;
  /** `/dev`. */
  devRoot?: string;
  /** The device list (default: `listDevices()` on `/dev`). */
  listDevices?: () => DeviceList;
  /** What PipeWire offers (default: `readPipewireFacts()`). */
  pipewire?: () => PipewireFacts;
}

/** The doctor's findings. */
export interface DoctorReport {
  /** Every check, in order. */
  checks: Check[];
  /** Whether live use will work (no `fail`). */
  ok: boolean;
  /** The camera and virtual camera live use would connect, e.g. `/dev/video0 → /dev/video10`. */
  route: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

/** A failed check from an error: its message, and the fix {@linkcode fixFor} gives. */
function failed(text: string, e: unknown, distro: Distro, fallback: string): Check {
  return {
    status: "fail",
    text: `${text}: ${errorText(e)}`,
    fix: fixFor(e, { distro }) ?? fallback,
  };
}

async function libraryChecks(live: LiveOptions, distro: Distro): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const ort = OnnxRuntime.load({ libraryPath: live.ortLib ?? undefined });
    checks.push({ status: "ok", text: `ONNX Runtime ${ort.version} (${ort.libraryPath})` });
    checks.push(checkTelemetry(ort.telemetryOff, ortTelemetryCache()));
  } catch (e) {
    checks.push(failed("ONNX Runtime cannot be loaded", e, distro, "reinstall backscrub"));
  }
  try {
    const info = turbojpegInfo();
    const file = loadedLibraryFile("libturbojpeg.so") ?? info.path;
    const version = turbojpegVersion(file);
    checks.push({
      status: "ok",
      text: `libjpeg-turbo ${version ?? "(version unknown)"} (${file})`,
    });
  } catch (e) {
    checks.push(
      failed("libjpeg-turbo cannot be loaded", e, distro, installCommand(distro, "jpeg")),
    );
  }
  try {
    const { path } = loadV4l2();
    const file = loadedLibraryFile("libv4l2.so") ?? path;
    const pkg = file.startsWith("/") ? await packageOf(file) : null;
    checks.push({ status: "ok", text: `libv4l2 ${pkg ? `from ${pkg} ` : ""}(${file})` });
  } catch (e) {
    checks.push(failed("libv4l2 cannot be loaded", e, distro, installCommand(distro, "v4l2")));
  }
  return checks;
}

/** Where ONNX Runtime's telemetry keeps its queue and device id when it is on. */
export function ortTelemetryCache(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string | null {
  const cache = env("XDG_CACHE_HOME") || (env("HOME") ? join(env("HOME")!, ".cache") : null);
  return cache === null ? null : join(cache, "Microsoft", "DeveloperTools", ".onnxruntime");
}

/**
 * The telemetry line: ONNX Runtime's telemetry is off in this process, and no queue from an
 * earlier run (an older backscrub, or another program on ONNX Runtime) is left in the cache.
 *
 * @param off {@linkcode OnnxRuntime.telemetryOff}
 * @param cache {@linkcode ortTelemetryCache}
 * @param exists whether a path exists (for tests)
 * @returns the check
 */
export function checkTelemetry(
  off: boolean,
  cache: string | null,
  exists: (path: string) => boolean = (path) => {
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      return false;
    }
  },
): Check {
  if (!off) {
    return {
      status: "fail",
      text: "ONNX Runtime telemetry is on: ORT_DISABLE_TELEMETRY is not 1",
      fix: "report this as a bug; meanwhile run with ORT_DISABLE_TELEMETRY=1 in the environment",
    };
  }
  if (cache !== null && exists(cache)) {
    return {
      status: "warn",
      text: `ONNX Runtime telemetry is off, but an earlier run queued telemetry in ${cache}`,
      fix: `remove it (rm -r '${cache}'); backscrub no longer writes there`,
    };
  }
  return {
    status: "ok",
    text: "ONNX Runtime telemetry off (ORT_DISABLE_TELEMETRY=1, DisableTelemetryEvents)",
  };
}

async function modelChecks(live: LiveOptions): Promise<Check[]> {
  const needed = live.background !== "off";
  const names = new Set<string>([live.model]);
  // Every other model the program carries or the user installed, checked too (warnings only).
  for (const dir of modelDirs()) {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (entry.name.endsWith(".json")) names.add(entry.name.slice(0, -5));
      }
    } catch {
      // no such folder
    }
  }
  let ort: OnnxRuntime;
  try {
    ort = OnnxRuntime.load({ libraryPath: live.ortLib ?? undefined });
  } catch {
    return [{
      status: needed ? "fail" : "warn",
      text: `model "${live.model}" cannot be checked without ONNX Runtime`,
      fix: "see the ONNX Runtime line",
    }];
  }
  const checks: Check[] = [];
  for (const name of names) {
    const chosen = name === live.model;
    try {
      const model = await resolveModel(name);
      using segmenter = Segmenter.open(ort, model, { threads: 1 });
      const m = segmenter.manifest;
      checks.push({
        status: "ok",
        text: `model "${m.name}"${chosen ? " (in use)" : ""}: ${m.input.width}x${m.input.height}, ${
          m.output.kind === "softmax" ? "classes" : m.output.kind
        } (${model.onnxPath})`,
      });
    } catch (e) {
      checks.push({
        status: chosen && needed ? "fail" : "warn",
        text: `model "${name}"${chosen ? " (in use)" : ""} is not usable: ${errorText(e)}`,
        fix: chosen
          ? fixFor(e) ?? "choose another model with -m, or reinstall backscrub"
          : "remove or fix it",
      });
    }
  }
  return checks;
}

async function ffmpegCheck(live: LiveOptions, distro: Distro): Promise<Check> {
  try {
    const out = await new Deno.Command("ffmpeg", {
      args: ["-version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const version = /ffmpeg version (\S+)/.exec(new TextDecoder().decode(out.stdout))?.[1];
    return { status: "ok", text: `ffmpeg ${version ?? ""} (video files and video backgrounds)` };
  } catch {
    const needed = [live.capture, live.virtual ?? "", live.background].some((s) =>
      /\.(mp4|mkv|webm|mov|avi|gif)$/i.test(s)
    );
    return {
      status: needed ? "fail" : "warn",
      text: "ffmpeg is not installed: video files and video backgrounds need it",
      fix: `install ffmpeg (${installCommand(distro, "ffmpeg")})`,
    };
  }
}

/**
 * Runs every check.
 *
 * @example
 * ```ts ignore
 * const report = await runDoctor({ live: parseLiveOptions([]), configPath: null });
 * for (const line of formatReport(report)) console.log(line);
 * ```
 *
 * @param options the live options, the settings file, and test overrides
 * @returns the checks and whether live use will work
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { live } = options;
  const sysRoot = options.sysRoot ?? "/sys";
  const etcRoot = options.etcRoot ?? "/etc";
  const distro = distroFamily(readOr(join(etcRoot, "os-release"), ""));
  const checks: Check[] = [];

  // 1. The kernel side: the module, the virtual camera, access, the camera.
  let release: string | null = null;
  try {
    release = Deno.osRelease();
  } catch {
    // not allowed
  }
  const modulesDep = release === null
    ? null
    : readOr(join("/lib/modules", release, "modules.dep"), "") || null;
  // Deno opens /dev, /proc and /sys only with every permission (the compiled executable has it).
  try {
    Deno.readDirSync(options.devRoot ?? "/dev");
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      checks.push({
        status: "fail",
        text: "backscrub may not look into /dev, /proc and /sys: Deno allows that only with " +
          "every permission",
        fix: "run it with deno run -A (or use the compiled executable, which has it)",
      });
    }
  }
  // The virtual cameras: the v4l2loopback device and the PipeWire camera -v names; without -v the
  // first loopback device, else the PipeWire camera when PipeWire runs (then no loopback is no
  // failure).
  const specs = [live.virtual, live.alsoVirtual].filter((s): s is string => s !== null);
  const loopbackSpec = specs.find((s) => !isPipewireSpec(s)) ?? null;
  const wantsLoopback = specs.length === 0 || loopbackSpec !== null;
  const pipewire = (options.pipewire ?? readPipewireFacts)();
  const module = readLoopbackModule(sysRoot, modulesDep);
  const moduleAt = checks.length;
  if (wantsLoopback) checks.push(checkModule(module, distro));
  let list: DeviceList | null = null;
  try {
    list = (options.listDevices ?? listDevices)();
  } catch (e) {
    checks.push(failed("cannot list the video devices", e, distro, installCommand(distro, "v4l2")));
  }
  const fallback = specs.length === 0 && pipewire.running && list !== null &&
    list.defaultLoopback === null;
  const soften = (c: Check): Check =>
    fallback && c.status === "fail"
      ? { ...c, status: "warn", text: `${c.text}; the PipeWire camera is used instead` }
      : c;
  if (wantsLoopback && fallback) checks[moduleAt] = soften(checks[moduleAt]!);
  if (list !== null) {
    if (wantsLoopback) checks.push(...checkVirtual(list, loopbackSpec, module).map(soften));
    let uid: number | null = null;
    try {
      uid = Deno.uid();
    } catch {
      // not allowed
    }
    const who = identity(
      uid,
      readOr("/proc/self/status", ""),
      readOr(join(etcRoot, "passwd"), ""),
    );
    checks.push(checkAccess(who, readOr(join(etcRoot, "group"), ""), list));
    checks.push(checkCamera(list, live.capture));
  }
  checks.push(
    ...pipewireChecks(pipewire, { needed: fallback || specs.some(isPipewireSpec), distro }),
  );

  // 2. The program: native libraries, models, settings, ffmpeg, CPU.
  checks.push(...await libraryChecks(live, distro));
  checks.push(...await modelChecks(live));
  checks.push(
    options.configError !== undefined
      ? {
        status: "fail",
        text: `settings: ${options.configError}`,
        fix: "fix the file: backscrub refuses to start with it (the checks here ignore it)",
      }
      : {
        status: "ok",
        text: options.configPath === null
          ? "settings: none read (defaults and the command line)"
          : `settings: ${options.configPath} (${options.configSettings ?? 0} settings)`,
      },
  );
  checks.push(await ffmpegCheck(live, distro));
  let load: number | null = null;
  try {
    load = Deno.loadavg()[0] ?? null;
  } catch {
    // not allowed
  }
  checks.push(checkCpu(navigator.hardwareConcurrency, load, live.threads));
  checks.push(checkFirefoxRate(live));
  const pipewireCamera = (spec: string): string =>
    `the PipeWire camera "${pipewireNames(spec).description}"`;
  const virtual = specs.length > 0
    ? specs.map((s) => isPipewireSpec(s) ? pipewireCamera(s) : s).join(" + ")
    : list?.defaultLoopback ??
      (pipewire.running ? pipewireCamera("pipewire") : "the first virtual camera");
  return {
    checks,
    ok: !checks.some((c) => c.status === "fail"),
    route: `${live.capture} → ${virtual}`,
  };
}

/**
 * The report as text: one line per check (`ok`, `warn` or `FAIL`, the finding, the fix), then
 * a summary.
 *
 * @param report from {@linkcode runDoctor}
 * @returns the lines
 */
export function formatReport(report: DoctorReport): string[] {
  const tag: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };
  const lines = report.checks.map((c) =>
    `${tag[c.status]}  ${c.text}${
      c.fix !== undefined && c.status !== "ok" ? ` — fix: ${c.fix}` : ""
    }`
  );
  const fails = report.checks.filter((c) => c.status === "fail").length;
  const warns = report.checks.filter((c) => c.status === "warn").length;
  if (fails > 0) {
    lines.push(
      `backscrub doctor: ${fails} problem${fails === 1 ? "" : "s"}: live use will not work until ${
        fails === 1 ? "it is" : "they are"
      } fixed`,
    );
  } else {
    lines.push(
      `backscrub doctor: live use will work (${report.route})${
        warns > 0 ? `; ${warns} warning${warns === 1 ? "" : "s"} above` : ""
      }`,
    );
  }
  return lines;
}
