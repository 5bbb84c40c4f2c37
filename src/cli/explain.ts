/**
 * The one place that turns structured errors into what the user should do: the lower layers
 * (`ffi/`, `src/device`, `src/io`, `src/background`, `src/models`...) throw errors that state
 * facts and carry fields (a kind, the device, what it was for, the errno, the paths tried); this
 * module adds the fix in the command line's words — its flags (`-c`, `-v`, `-f`, `--ort-lib`),
 * the `BACKSCRUB_*_LIB` variables, package names, `deno task setup`, `backscrub devices`, and the
 * `modprobe` / `usermod` lines.
 *
 * {@linkcode explain} gives the one line `backscrub: …` prints; {@linkcode fixFor} gives the fix
 * alone (the doctor's fix column).
 *
 * @module
 */

import {
  LIBRARY_ENVS,
  LIBRARY_SONAMES,
  LibraryLoadError,
  type NativeLibrary,
} from "../../ffi/_library.ts";
import { LibcError } from "../../ffi/libc/mod.ts";
import { PipewireError } from "../../ffi/pipewire/mod.ts";
import { ERRNO } from "../../ffi/libc/layout.ts";
import { BackgroundError } from "../background/errors.ts";
import { DeviceError, type DeviceErrorKind, type DevicePurpose } from "../device/errors.ts";
import type { Holders } from "../device/holders.ts";
import { MediaFileError } from "../io/errors.ts";
import { ManifestError } from "../models/manifest.ts";
import { ModelError } from "../models/resolve.ts";

/** The one `modprobe` line printed (never run) when no v4l2loopback device exists. */
export const MODPROBE_COMMAND =
  "sudo modprobe v4l2loopback devices=1 exclusive_caps=1 card_label=VirtualCam video_nr=10";
/** The line for `/etc/modprobe.d/v4l2loopback.conf` that loads the same device at boot. */
export const MODPROBE_CONF_LINE =
  "options v4l2loopback devices=1 exclusive_caps=1 card_label=VirtualCam video_nr=10";
/** Where {@linkcode MODPROBE_CONF_LINE} goes. */
export const MODPROBE_CONF_PATH = "/etc/modprobe.d/v4l2loopback.conf";

/** The fix for "permission denied" on a video device. */
export const VIDEO_GROUP_FIX =
  "add yourself to the video group: sudo usermod -aG video $USER, then log out and in again";

/** The fix when no v4l2loopback device exists. */
export const LOOPBACK_FIX: string = `load it: ${MODPROBE_COMMAND}; to load it at every boot put ` +
  `"${MODPROBE_CONF_LINE}" in ${MODPROBE_CONF_PATH} and "v4l2loopback" in ` +
  "/etc/modules-load.d/v4l2loopback.conf";

/** The fix when no v4l2loopback device exists and none was named: load it, or use PipeWire. */
export const NO_LOOPBACK_FIX: string =
  `${LOOPBACK_FIX}; or, without a kernel module, run PipeWire and use -v pipewire`;

/** How to start PipeWire (and its session manager) in a systemd user session. */
export const PIPEWIRE_START = "systemctl --user start pipewire wireplumber";

/** The fix when v4l2loopback misbehaves: reload it. */
export const RELOAD_LOOPBACK = `sudo modprobe -r v4l2loopback && ${MODPROBE_COMMAND}`;

/** The Linux distribution family, for package names in the fixes. */
export type Distro = "debian" | "fedora" | "arch" | "suse" | "other";

/**
 * The distribution family from `/etc/os-release` text.
 *
 * @example
 * ```ts
 * import { distroFamily } from "./explain.ts";
 * distroFamily("ID=ubuntu\nID_LIKE=debian"); // "debian"
 * ```
 *
 * @param osRelease the file's text (empty when missing)
 * @returns the family
 */
export function distroFamily(osRelease: string): Distro {
  const field = (k: string): string =>
    new RegExp(`^${k}="?([^"\\n]*)"?$`, "m").exec(osRelease)?.[1]?.toLowerCase() ?? "";
  const ids = `${field("ID")} ${field("ID_LIKE")}`.split(/\s+/);
  if (ids.some((id) => id === "debian" || id === "ubuntu")) return "debian";
  if (ids.some((id) => id === "fedora" || id === "rhel" || id === "centos")) return "fedora";
  if (ids.some((id) => id === "arch" || id === "manjaro")) return "arch";
  if (ids.some((id) => id.startsWith("opensuse") || id === "suse" || id === "sles")) return "suse";
  return "other";
}

/** What a fix may ask the user to install. */
export type Package = "loopback" | "v4l2" | "jpeg" | "ffmpeg" | "pipewire";

const PACKAGES: Record<Distro, { install: string } & Record<Package, string>> = {
  debian: {
    install: "sudo apt install",
    loopback: "v4l2loopback-dkms",
    v4l2: "libv4l-0",
    jpeg: "libturbojpeg0",
    ffmpeg: "ffmpeg",
    pipewire: "pipewire libpipewire-0.3-0",
  },
  fedora: {
    install: "sudo dnf install",
    loopback: "v4l2loopback (from RPM Fusion)",
    v4l2: "libv4l",
    jpeg: "turbojpeg",
    ffmpeg: "ffmpeg (from RPM Fusion)",
    pipewire: "pipewire pipewire-libs",
  },
  arch: {
    install: "sudo pacman -S",
    loopback: "v4l2loopback-dkms",
    v4l2: "v4l-utils",
    jpeg: "libjpeg-turbo",
    ffmpeg: "ffmpeg",
    pipewire: "pipewire",
  },
  suse: {
    install: "sudo zypper install",
    loopback: "v4l2loopback-kmp-default",
    v4l2: "libv4l2-0",
    jpeg: "libturbojpeg0",
    ffmpeg: "ffmpeg",
    pipewire: "pipewire libpipewire-0_3-0",
  },
  other: {
    install: "install",
    loopback: "v4l2loopback (https://github.com/umlaeute/v4l2loopback)",
    v4l2: "libv4l2 (v4l-utils)",
    jpeg: "libjpeg-turbo's libturbojpeg",
    ffmpeg: "ffmpeg",
    pipewire: "PipeWire (libpipewire-0.3.so.0)",
  },
};

/**
 * The command that installs a package on a distribution.
 *
 * @param distro the family
 * @param what the package
 * @returns e.g. `sudo apt install libturbojpeg0`
 */
export function installCommand(distro: Distro, what: Package): string {
  return `${PACKAGES[distro].install} ${PACKAGES[distro][what]}`;
}

/** Options of {@linkcode explain} and {@linkcode fixFor}. */
export interface ExplainOptions {
  /** The distribution, for package names (default `debian`: `sudo apt install …`). */
  distro?: Distro;
}

/**
 * The error's one line with the fix added in parentheses:
 * `Cannot open video device "/dev/video9": no such file (is the camera plugged in? …)`.
 *
 * @example
 * ```ts
 * import { explain } from "./explain.ts";
 * import { DeviceError } from "../device/errors.ts";
 * explain(new DeviceError("permission", 'Cannot open video device "/dev/video0": permission denied'));
 * // … permission denied (add yourself to the video group: sudo usermod -aG video $USER, …)
 * ```
 *
 * @param error anything thrown
 * @param options the distribution for package names
 * @returns one line
 */
export function explain(error: unknown, options: ExplainOptions = {}): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ")
    .trim();
  const fix = fixFor(error, options);
  return fix === null ? message : `${message} (${fix})`;
}

/**
 * What the user can do about an error, in the command line's words.
 *
 * @param error anything thrown
 * @param options the distribution for package names
 * @returns the fix, or null when there is nothing to add to the message
 */
export function fixFor(error: unknown, options: ExplainOptions = {}): string | null {
  const distro = options.distro ?? "debian";
  if (error instanceof LibraryLoadError) return libraryFix(error, distro);
  // A cause with its own fix (an inotify limit behind a watch) says more than the device's kind.
  if (error instanceof DeviceError) return causeFix(error.cause, distro) ?? deviceFix(error);
  if (error instanceof LibcError) return libcFix(error);
  if (error instanceof PipewireError) return pipewireFix(error);
  if (error instanceof ModelError) return modelFix(error) ?? causeFix(error.cause, distro);
  if (error instanceof ManifestError && error.kind === "ambiguous-output") {
    return "say which channel is the person with --model-output softmax:N";
  }
  if (error instanceof MediaFileError) return mediaFix(error, distro);
  if (error instanceof BackgroundError) return backgroundFix(error, distro);
  if (error instanceof Deno.errors.NotCapable) return notCapableFix(error);
  return error instanceof Error ? causeFix(error.cause, distro) : null;
}

/**
 * The fix for a PipeWire camera that cannot be published: start PipeWire, or use v4l2loopback.
 *
 * @param error the error
 * @returns the fix, or null when there is none to give
 */
export function pipewireFix(error: PipewireError): string | null {
  if (error.kind !== "not-running") return null;
  if (/XDG_RUNTIME_DIR is set/.test(error.message)) {
    return "run backscrub inside your desktop session, where PipeWire runs; or use a v4l2loopback device with -v /dev/videoN";
  }
  return `start it: ${PIPEWIRE_START}; or use a v4l2loopback device with -v /dev/videoN`;
}

/** A fix found on an error's cause (e.g. a Deno permission error behind an image error). */
function causeFix(cause: unknown, distro: Distro): string | null {
  if (cause === undefined || cause === null) return null;
  return fixFor(cause, { distro });
}

/** `run with --allow-read` for Deno's refusals (`deno run` without the permission). */
function notCapableFix(error: Error): string {
  // Deno's own message names the flag it wants ("run again with the --allow-read flag").
  const flag = /--allow-[a-z-]+/.exec(error.message)?.[0] ?? "--allow-all";
  return `run with ${flag}, or use the compiled executable`;
}

/** The `deno run` flag that grants a kind of access. */
function allowFlag(permission: "read" | "write" | "run"): string {
  return `--allow-${permission}`;
}

/**
 * The fix for a library that cannot be loaded: the flag or variable that names its file, the
 * package that installs it, or setup.
 *
 * @param error the load error
 * @param distro for package names
 * @returns the fix, or null when there is none to give
 */
export function libraryFix(error: LibraryLoadError, distro: Distro = "debian"): string | null {
  const { library, named, kind } = error;
  if (kind === "conflict") return null;
  if (kind === "refused") {
    return "report this as a bug; backscrub opens ONNX Runtime only with its telemetry off";
  }
  const env = LIBRARY_ENVS[library];
  if (named === "argument") {
    return library === "onnxruntime" ? "check the path given with --ort-lib" : "check the path";
  }
  if (named === "env") {
    return `check the path in ${env}, or unset it to use ${
      library === "onnxruntime"
        ? "the copy backscrub finds itself"
        : `the system ${LIBRARY_SONAMES[library]}`
    }`;
  }
  const packages: Partial<Record<NativeLibrary, Package>> = {
    turbojpeg: "jpeg",
    v4l2: "v4l2",
    pipewire: "pipewire",
  };
  const pkg = packages[library];
  if (pkg !== undefined) {
    return `install it: ${installCommand(distro, pkg)}, or set ${env} to its path`;
  }
  if (library === "onnxruntime") {
    const ortLib = `pass --ort-lib /path/to/${LIBRARY_SONAMES.onnxruntime} or set ${env}`;
    // A compiled executable carries its own copy; a source checkout gets one from setup.
    return error.attempts.some((a) => a.via === "embedded")
      ? `reinstall backscrub, or ${ortLib}`
      : `run "deno task setup" (installs onnxruntime-node), or ${ortLib}`;
  }
  return `backscrub needs glibc (${LIBRARY_SONAMES.libc})`;
}

/**
 * A library that could not be loaded, in a few words for `backscrub --version`: what happened
 * (not found, not loadable, found but unusable, refused) and the fix.
 *
 * @example
 * ```ts ignore
 * libraryStatus(error); // 'not found (run "deno task setup" (installs onnxruntime-node), or …)'
 * ```
 *
 * @param error what loading threw
 * @returns one line, without the library's name
 */
export function libraryStatus(error: unknown): string {
  if (!(error instanceof LibraryLoadError)) return explain(error);
  const which = error.attempts.find((a) => a.failure === error.kind);
  const state = error.kind === "not-found"
    ? "not found"
    : error.kind === "not-loadable"
    ? `cannot be loaded (${which?.reason ?? "unknown reason"})`
    : error.kind === "unusable"
    ? `found but not usable (${which?.reason ?? "unknown reason"})`
    : `not loaded (${which?.reason ?? "refused"})`;
  const fix = libraryFix(error);
  return fix === null ? state : `${state}; ${fix}`;
}

/** The facts about a device problem the fix depends on (a {@linkcode DeviceError} has them). */
export interface DeviceFacts {
  /** What went wrong. */
  readonly kind: DeviceErrorKind;
  /** The device path. */
  readonly path?: string | undefined;
  /** What the device was opened for. */
  readonly purpose?: DevicePurpose | undefined;
  /** The errno of the failed call. */
  readonly errno?: number | null | undefined;
  /** Who holds the device. */
  readonly holders?: Holders | undefined;
  /** The pixel formats it offers. */
  readonly offered?: readonly string[] | undefined;
  /** The format another writer fixed it at. */
  readonly fixedAt?: string | undefined;
}

/** The flag that chooses a device of this purpose, in words. */
function chooseFlag(purpose: DevicePurpose | undefined): string | null {
  return purpose === "virtual"
    ? "choose the virtual camera with -v"
    : purpose === "camera"
    ? "choose your camera with -c"
    : null;
}

/** How to choose another device of the same purpose, and where to see them. */
function chooseOther(purpose: DevicePurpose | undefined): string {
  const flag = chooseFlag(purpose);
  return flag === null
    ? "backscrub devices lists the video devices"
    : `${flag}; backscrub devices lists them`;
}

/**
 * The fix for a camera or virtual-camera problem, from its kind, purpose, errno and holders.
 *
 * @param facts a {@linkcode DeviceError}, or the error of a listed device
 * @returns the fix, or null when there is none to give
 */
export function deviceFix(facts: DeviceFacts): string | null {
  const { kind, path, purpose, errno } = facts;
  switch (kind) {
    case "not-found":
      if (errno !== undefined && errno !== null && errno !== ERRNO.ENOENT) {
        return `reconnect it, or reload its driver; ${chooseOther(purpose)}`;
      }
      return purpose === "virtual"
        ? `is v4l2loopback loaded? ${LOOPBACK_FIX}`
        : purpose === "camera"
        ? `is the camera plugged in? ${chooseOther(purpose)}`
        : chooseOther(purpose);
    case "permission":
      return VIDEO_GROUP_FIX;
    case "not-v4l2":
    case "not-capture":
      return chooseOther(purpose ?? (kind === "not-capture" ? "camera" : undefined));
    case "not-output":
      return chooseOther("virtual");
    case "no-loopback":
      return NO_LOOPBACK_FIX;
    case "busy":
      return busyFix(facts);
    case "format":
      return facts.offered !== undefined && facts.offered.length > 0
        ? "choose another camera with -c, or force one of its formats with -f"
        : "ask the camera for YUYV, MJPG, NV12 or YU12 with -f";
    case "size":
      return "ask the camera for an even size with --cg WxH";
    case "timeout":
      return purpose === "virtual"
        ? "is a program reading the virtual camera stuck? restart it"
        : "is the camera covered by another program, or unplugged? backscrub devices shows it";
    case "disconnected":
      return purpose === "virtual"
        ? `was v4l2loopback unloaded? ${LOOPBACK_FIX}, then start backscrub again`
        : "was it unplugged? reconnect it and start again";
    case "unsupported":
      return null;
    case "io":
      if (purpose === "virtual" && (errno === undefined || errno === null)) {
        return `reload v4l2loopback: ${RELOAD_LOOPBACK}`;
      }
      return path === undefined || errno === undefined || errno === null
        ? null
        : `report this with the output of v4l2-ctl -d ${path} --all`;
  }
}

function busyFix(facts: DeviceFacts): string {
  const { holders, path, purpose } = facts;
  if (facts.fixedAt !== undefined) {
    return `stop the other writer, or send ${facts.fixedAt} (--vg WxH, --out-format)`;
  }
  if (holders !== undefined && holders.others.length > 0) {
    return `close it, or ${chooseOther(purpose)}`;
  }
  if (holders?.self) return "this process already has it open: close that handle first";
  const other = chooseFlag(purpose) ?? "choose another device";
  return `close the program using it, or ${other}; fuser -v ${path ?? "DEVICE"} names it ` +
    "when run as that user or root";
}

/** inotify limits: the sysctl that raises them. */
function libcFix(error: LibcError): string | null {
  if (error.errno === ERRNO.EMFILE && error.action === "use inotify") {
    return "raise sysctl fs.inotify.max_user_instances";
  }
  if (error.errno === ERRNO.ENOSPC && error.action.startsWith("watch ")) {
    return "raise sysctl fs.inotify.max_user_watches";
  }
  return null;
}

function modelFix(error: ModelError): string | null {
  switch (error.kind) {
    case "not-found":
    case "not-converted":
      return 'run "deno task setup" to convert the bundled models, or give -m a model file';
    case "mismatch":
      return 'convert it again ("deno task setup")';
    case "spec":
      return "give -m a model name or a path to an .onnx or .tflite file";
    default:
      return null;
  }
}

function mediaFix(error: MediaFileError, distro: Distro): string | null {
  switch (error.kind) {
    case "not-allowed":
      return `run with ${allowFlag(error.permission ?? "read")}, or use the compiled executable`;
    case "missing-tool":
      return `install ffmpeg: ${installCommand(distro, "ffmpeg")}`;
    default:
      return causeFix(error.cause, distro);
  }
}

function backgroundFix(error: BackgroundError, distro: Distro): string | null {
  switch (error.kind) {
    case "read-permission":
      return `run with ${allowFlag("read")}, or use the compiled executable`;
    case "run-permission":
      return `run with ${allowFlag("run")}, or use the compiled executable`;
    case "ffmpeg-missing":
      return `install ffmpeg: ${installCommand(distro, "ffmpeg")}`;
    default:
      return causeFix(error.cause, distro);
  }
}
