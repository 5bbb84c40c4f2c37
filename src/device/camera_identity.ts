/**
 * Finding a camera again after it went away: cameras often come back as another `/dev/videoN`
 * (unplugged and plugged in, a driver reloaded). A camera is known by what `VIDIOC_QUERYCAP`
 * says of it — driver, card and bus info — and by its node's name in sysfs
 * (`/sys/class/video4linux/videoN/name`), which picks the candidates without opening every
 * device (other v4l2loopback devices, virtual in sysfs, are never opened: a look at the virtual
 * camera would count as a reader).
 *
 * @module
 */

import { type Capability, VideoDevice } from "../../ffi/v4l2/mod.ts";
import { DeviceError, openError } from "./errors.ts";
import { devicePath } from "./formats.ts";

/** Who a camera is, as far as the kernel says. */
export interface CameraIdentity {
  /** The driver (`VIDIOC_QUERYCAP`), e.g. `"uvcvideo"`. */
  driver: string;
  /** The card, e.g. `"Integrated Camera: Integrated C"`. */
  card: string;
  /** Where it is attached, e.g. `"usb-0000:00:14.0-1"`; another USB port gives another one. */
  busInfo: string;
  /** The node's name in sysfs (e.g. `"vivid-000-vid-cap"`), or `null` without sysfs. */
  sysfsName: string | null;
}

/** Where {@linkcode findCamera} looks (tests pass fake trees). */
export interface FindOptions {
  /** The device directory (default `/dev`). */
  devRoot?: string;
  /** sysfs (default `/sys`). */
  sysRoot?: string;
  /** An explicit libv4l2 path. */
  libraryPath?: string;
  /**
   * Reads a node's capability (default: open it and ask `VIDIOC_QUERYCAP`).
   *
   * @throws whatever opening it throws
   */
  queryCap?: (path: string) => Pick<Capability, "driver" | "card" | "busInfo">;
}

/** The sysfs entry of a device node (`/sys/class/video4linux/videoN`), from its real path. */
function sysfsEntry(path: string, sysRoot: string): string | null {
  let real: string;
  try {
    real = Deno.realPathSync(path);
  } catch {
    real = path;
  }
  const name = real.split("/").pop() ?? "";
  return /^video\d+$/.test(name) ? `${sysRoot}/class/video4linux/${name}` : null;
}

function readName(entry: string): string | null {
  try {
    return Deno.readTextFileSync(`${entry}/name`).trim();
  } catch {
    return null;
  }
}

/** Whether sysfs says the node belongs to a virtual device (v4l2loopback), not hardware. */
function isVirtual(entry: string | null): boolean {
  if (entry === null) return false;
  try {
    return Deno.realPathSync(`${entry}/device`).includes("/devices/virtual/");
  } catch {
    return false;
  }
}

/**
 * The identity of an open camera.
 *
 * @example
 * ```ts
 * import { Camera } from "./camera.ts";
 * import { identityOf } from "./camera_identity.ts";
 * using camera = Camera.open("/dev/video0");
 * identityOf(camera.path, camera.info);
 * // { driver: "vivid", card: "vivid", busInfo: "platform:vivid-000", sysfsName: "vivid-000-vid-cap" }
 * ```
 *
 * @param path the node it was opened at
 * @param info its capability
 * @param sysRoot sysfs (default `/sys`)
 * @returns who it is
 */
export function identityOf(
  path: string,
  info: Pick<Capability, "driver" | "card" | "busInfo">,
  sysRoot = "/sys",
): CameraIdentity {
  const entry = sysfsEntry(path, sysRoot);
  return {
    driver: info.driver,
    card: info.card,
    busInfo: info.busInfo,
    sysfsName: entry === null ? null : readName(entry),
  };
}

/**
 * The nodes worth asking whether they are the camera: the one named at start first (a
 * `/dev/v4l/by-id/…` link follows the camera to its new node by itself), then every other node
 * whose sysfs name is the camera's, in numeric order, virtual devices (v4l2loopback) left out.
 *
 * @param identity who the camera is
 * @param spec the device as given at start (`/dev/video0`, `video0`, a by-id link)
 * @param options where `/dev` and `/sys` are
 * @returns device paths, each once
 */
export function candidatePaths(
  identity: CameraIdentity,
  spec: string,
  options: Pick<FindOptions, "devRoot" | "sysRoot"> = {},
): string[] {
  const devRoot = options.devRoot ?? "/dev";
  const sysRoot = options.sysRoot ?? "/sys";
  // The node given at start is the camera's, even a v4l2loopback one (fed by another program).
  const out: string[] = [devicePath(spec)];
  if (identity.sysfsName === null) return out;
  let names: string[];
  try {
    names = [...Deno.readDirSync(`${sysRoot}/class/video4linux`)].map((e) => e.name)
      .filter((n) => /^video\d+$/.test(n))
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  } catch {
    return out;
  }
  const seen = new Set(out.map((p) => safeReal(p)));
  for (const name of names) {
    const entry = `${sysRoot}/class/video4linux/${name}`;
    if (readName(entry) !== identity.sysfsName || isVirtual(entry)) continue;
    const path = `${devRoot}/${name}`;
    if (seen.has(safeReal(path))) continue;
    seen.add(safeReal(path));
    out.push(path);
  }
  return out;
}

function safeReal(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/**
 * Finds the camera again: the first candidate ({@linkcode candidatePaths}) whose driver, card
 * and bus info are the camera's; failing that, one with the same driver and card (the camera in
 * another USB port).
 *
 * @example
 * ```ts
 * import { findCamera } from "./camera_identity.ts";
 * const identity = { driver: "vivid", card: "vivid", busInfo: "platform:vivid-000", sysfsName: "vivid-000-vid-cap" };
 * findCamera(identity, "/dev/video0"); // e.g. "/dev/video3" after the driver came back there
 * ```
 *
 * @param identity who the camera is
 * @param spec the device as given at start
 * @param options where to look, and how to ask a node who it is
 * @returns the camera's node now
 * @throws {DeviceError} `"permission"` when a candidate may not be opened (a camera just plugged
 *   in, before udev gave it its group), else `"not-found"`
 */
export function findCamera(
  identity: CameraIdentity,
  spec: string,
  options: FindOptions = {},
): string {
  const ask = options.queryCap ?? ((path: string) => {
    using device = VideoDevice.open(path, {
      ...(options.libraryPath === undefined ? {} : { libraryPath: options.libraryPath }),
    });
    return device.queryCap();
  });
  let sameModel: string | null = null;
  let refused: DeviceError | null = null;
  for (const path of candidatePaths(identity, spec, options)) {
    let info: Pick<Capability, "driver" | "card" | "busInfo">;
    try {
      info = ask(path);
    } catch (error) {
      const e = openError(error, path, "camera");
      if (e instanceof DeviceError && e.kind === "permission") refused ??= e;
      continue;
    }
    if (info.driver !== identity.driver || info.card !== identity.card) continue;
    if (info.busInfo === identity.busInfo) return path;
    sameModel ??= path;
  }
  if (sameModel !== null) return sameModel;
  if (refused !== null) throw refused;
  throw new DeviceError(
    "not-found",
    `Cannot find the camera "${identity.card}" (${identity.busInfo}): it is not connected`,
    { path: devicePath(spec), purpose: "camera" },
  );
}
