import assert from "node:assert/strict";
import { LibraryLoadError, type LoadAttempt } from "../../ffi/_library.ts";
import { LibcError } from "../../ffi/libc/mod.ts";
import { BackgroundError } from "../background/errors.ts";
import { DeviceError } from "../device/errors.ts";
import { MediaFileError } from "../io/errors.ts";
import { ModelError } from "../models/resolve.ts";
import {
  deviceFix,
  explain,
  fixFor,
  installCommand,
  libraryStatus,
  LOOPBACK_FIX,
  MODPROBE_COMMAND,
  NO_LOOPBACK_FIX,
  VIDEO_GROUP_FIX,
} from "./explain.ts";

function attempt(path: string, via: LoadAttempt["via"], failure: LoadAttempt["failure"]) {
  return { path, via, failure, reason: failure === "not-found" ? "no such file" : "bad" };
}

Deno.test("explain() adds the ONNX Runtime fix: setup, --ort-lib, BACKSCRUB_ORT_LIB", () => {
  const system = new LibraryLoadError("onnxruntime", [
    attempt("libonnxruntime.so.1", "system", "not-found"),
    attempt("/x/node_modules/onnxruntime-node/libonnxruntime.so.1", "npm", "not-found"),
  ]);
  assert.equal(
    explain(system),
    'Cannot load ONNX Runtime (tried "libonnxruntime.so.1" (no such file), ' +
      '"/x/node_modules/onnxruntime-node/libonnxruntime.so.1" (no such file)) ' +
      '(run "deno task setup" (installs onnxruntime-node), or pass --ort-lib ' +
      "/path/to/libonnxruntime.so.1 or set BACKSCRUB_ORT_LIB)",
  );
  // The compiled executable carries its own copy: setup is no help there.
  const compiled = new LibraryLoadError("onnxruntime", [
    attempt("/tmp/x/lib/libonnxruntime.so.1", "embedded", "not-loadable"),
  ]);
  assert.equal(
    fixFor(compiled),
    "reinstall backscrub, or pass --ort-lib /path/to/libonnxruntime.so.1 or set BACKSCRUB_ORT_LIB",
  );
  const flag = new LibraryLoadError("onnxruntime", [attempt("/n/x.so", "argument", "not-found")]);
  assert.equal(fixFor(flag), "check the path given with --ort-lib");
  const env = new LibraryLoadError("onnxruntime", [attempt("/n/x.so", "env", "not-found")]);
  assert.equal(
    fixFor(env),
    "check the path in BACKSCRUB_ORT_LIB, or unset it to use the copy backscrub finds itself",
  );
  const refused = new LibraryLoadError("onnxruntime", [attempt("a.so", "system", "refused")]);
  assert.match(fixFor(refused)!, /^report this as a bug/);
  const twice = new LibraryLoadError(
    "onnxruntime",
    [attempt("/b.so", "argument", "conflict")],
    "Cannot load ONNX Runtime twice in one process",
  );
  assert.equal(fixFor(twice), null);
  assert.equal(explain(twice), twice.message);
});

Deno.test("explain() adds the package or the variable for libjpeg-turbo and libv4l2", () => {
  const jpeg = new LibraryLoadError("turbojpeg", [
    attempt("libturbojpeg.so.0", "system", "not-found"),
  ]);
  assert.equal(
    explain(jpeg),
    'Cannot load libjpeg-turbo (tried "libturbojpeg.so.0" (no such file)) (install it: ' +
      "sudo apt install libturbojpeg0, or set BACKSCRUB_TURBOJPEG_LIB to its path)",
  );
  assert.equal(
    fixFor(jpeg, { distro: "fedora" }),
    "install it: sudo dnf install turbojpeg, or set BACKSCRUB_TURBOJPEG_LIB to its path",
  );
  const jpegEnv = new LibraryLoadError("turbojpeg", [attempt("/n/j.so", "env", "not-found")]);
  assert.equal(
    fixFor(jpegEnv),
    "check the path in BACKSCRUB_TURBOJPEG_LIB, or unset it to use the system libturbojpeg.so.0",
  );
  const v4l2 = new LibraryLoadError("v4l2", [attempt("libv4l2.so.0", "system", "not-found")]);
  assert.equal(
    fixFor(v4l2),
    "install it: sudo apt install libv4l-0, or set BACKSCRUB_V4L2_LIB to its path",
  );
  const libc = new LibraryLoadError("libc", [attempt("libc.so.6", "system", "not-found")]);
  assert.equal(fixFor(libc), "backscrub needs glibc (libc.so.6)");
});

Deno.test("libraryStatus() says what happened to a library, then the fix", () => {
  const missing = new LibraryLoadError("turbojpeg", [
    attempt("libturbojpeg.so.0", "system", "not-found"),
  ]);
  assert.equal(
    libraryStatus(missing),
    "not found; install it: sudo apt install libturbojpeg0, or set BACKSCRUB_TURBOJPEG_LIB to its path",
  );
  const old = new LibraryLoadError("onnxruntime", [
    attempt("libonnxruntime.so.1", "system", "not-found"),
    {
      path: "/usr/lib/libonnxruntime.so.1",
      via: "system",
      failure: "unusable",
      reason: "ONNX Runtime 1.10.0 is too old (needs 1.17+)",
    },
  ]);
  assert.match(
    libraryStatus(old),
    /^found but not usable \(ONNX Runtime 1\.10\.0 is too old \(needs 1\.17\+\)\); run "deno task setup"/,
  );
  assert.equal(libraryStatus(new Error("boom")), "boom");
});

Deno.test("explain() adds the device fixes, naming -c for cameras and -v for virtual cameras", () => {
  const e = (kind: DeviceError["kind"], details: ConstructorParameters<typeof DeviceError>[2]) =>
    new DeviceError(kind, "M", details);
  assert.equal(
    explain(e("not-found", { path: "/dev/video9", purpose: "camera", errno: 2 })),
    "M (is the camera plugged in? choose your camera with -c; backscrub devices lists them)",
  );
  assert.equal(
    explain(e("not-found", { path: "/dev/video9", purpose: "virtual", errno: 2 })),
    `M (is v4l2loopback loaded? ${LOOPBACK_FIX})`,
  );
  assert.ok(LOOPBACK_FIX.includes(MODPROBE_COMMAND));
  assert.match(
    fixFor(e("not-found", { purpose: "camera", errno: 19 }))!,
    /^reconnect it, or reload its driver; choose your camera with -c/,
  );
  assert.equal(fixFor(e("permission", { purpose: "camera", errno: 13 })), VIDEO_GROUP_FIX);
  assert.equal(
    fixFor(e("not-capture", { purpose: "camera" })),
    "choose your camera with -c; backscrub devices lists them",
  );
  assert.equal(
    fixFor(e("not-output", { purpose: "virtual" })),
    "choose the virtual camera with -v; backscrub devices lists them",
  );
  assert.equal(fixFor(e("no-loopback", { purpose: "virtual" })), NO_LOOPBACK_FIX);
  assert.ok(NO_LOOPBACK_FIX.startsWith(LOOPBACK_FIX) && NO_LOOPBACK_FIX.includes("-v pipewire"));
  assert.equal(
    fixFor(
      e("busy", {
        path: "/dev/video0",
        holders: { others: [{ pid: 4, comm: "obs" }], self: false },
      }),
    ),
    "close it, or backscrub devices lists the video devices",
  );
  assert.equal(
    fixFor(
      e("busy", {
        path: "/dev/video0",
        purpose: "camera",
        holders: { others: [{ pid: 4, comm: "obs" }], self: false },
      }),
    ),
    "close it, or choose your camera with -c; backscrub devices lists them",
  );
  assert.equal(
    fixFor(
      e("busy", { path: "/dev/video10", purpose: "virtual", holders: { others: [], self: false } }),
    ),
    "close the program using it, or choose the virtual camera with -v; fuser -v /dev/video10 " +
      "names it when run as that user or root",
  );
  assert.match(
    fixFor(e("busy", { path: "/dev/video10", holders: { others: [], self: true } }))!,
    /^this process already has it open/,
  );
  assert.equal(
    fixFor(e("busy", { path: "/dev/video10", purpose: "virtual", fixedAt: "640x480 YUYV" })),
    "stop the other writer, or send 640x480 YUYV (--vg WxH, --out-format)",
  );
  assert.equal(
    fixFor(e("format", { purpose: "camera", offered: ["H264"] })),
    "choose another camera with -c, or force one of its formats with -f",
  );
  assert.equal(fixFor(e("format", {})), "ask the camera for YUYV, MJPG, NV12 or YU12 with -f");
  assert.match(fixFor(e("size", {}))!, /--cg WxH/);
  assert.match(fixFor(e("timeout", { purpose: "camera" }))!, /backscrub devices shows it$/);
  assert.match(fixFor(e("timeout", { purpose: "virtual" }))!, /reading the virtual camera stuck/);
  assert.match(fixFor(e("disconnected", { purpose: "camera" }))!, /^was it unplugged\?/);
  assert.match(fixFor(e("disconnected", { purpose: "virtual" }))!, /^was v4l2loopback unloaded\?/);
  assert.equal(
    fixFor(e("io", { path: "/dev/video0", purpose: "camera", errno: 22 })),
    "report this with the output of v4l2-ctl -d /dev/video0 --all",
  );
  assert.match(
    fixFor(e("io", { path: "/dev/video10", purpose: "virtual" }))!,
    /^reload v4l2loopback/,
  );
  assert.equal(fixFor(e("unsupported", { purpose: "camera" })), null);
  // The list's plain-data errors get the same fixes.
  assert.equal(deviceFix({ kind: "permission", errno: 13 }), VIDEO_GROUP_FIX);
});

Deno.test("explain() adds the inotify limit, also behind a DeviceError", () => {
  const limit = new LibcError("use inotify", 24, "this user has too many inotify instances");
  assert.equal(
    explain(limit),
    "Cannot use inotify: this user has too many inotify instances (EMFILE) " +
      "(raise sysctl fs.inotify.max_user_instances)",
  );
  const watches = new LibcError('watch "/dev/video10"', 28, "too many");
  const wrapped = new DeviceError("io", watches.message, {
    path: "/dev/video10",
    purpose: "virtual",
    errno: 28,
    cause: watches,
  });
  assert.match(explain(wrapped), /\(raise sysctl fs\.inotify\.max_user_watches\)$/);
});

Deno.test("explain() adds setup for models, Deno flags and ffmpeg for files and backgrounds", () => {
  assert.match(
    explain(new ModelError('Cannot find model "x"', { kind: "not-found" })),
    /^Cannot find model "x" \(run "deno task setup" to convert the bundled models/,
  );
  assert.equal(
    fixFor(new ModelError("M", { kind: "mismatch" })),
    'convert it again ("deno task setup")',
  );
  assert.equal(fixFor(new ModelError("M")), null);
  assert.equal(
    explain(
      new MediaFileError('Cannot read video "a.mp4"', "ffmpeg is not installed", {
        kind: "missing-tool",
        tool: "ffmpeg",
      }),
    ),
    'Cannot read video "a.mp4": ffmpeg is not installed (install ffmpeg: sudo apt install ffmpeg)',
  );
  assert.equal(
    fixFor(
      new MediaFileError("Cannot write", "no permission to run ffmpeg", {
        kind: "not-allowed",
        permission: "run",
      }),
    ),
    "run with --allow-run, or use the compiled executable",
  );
  assert.equal(
    fixFor(new BackgroundError("ffmpeg-missing", "M", { command: "ffmpeg" }), { distro: "arch" }),
    "install ffmpeg: sudo pacman -S ffmpeg",
  );
  assert.equal(
    fixFor(new BackgroundError("read-permission", "M")),
    "run with --allow-read, or use the compiled executable",
  );
  // A Deno permission error behind any error: the flag Deno names.
  const denied = new Deno.errors.NotCapable(
    'Requires read access to "x.png", run again with the --allow-read flag',
  );
  assert.equal(
    explain(new Error("Cannot read image", { cause: denied })),
    "Cannot read image (run with --allow-read, or use the compiled executable)",
  );
  assert.equal(explain(new Error("a\nb")), "a b", "one line");
  assert.equal(installCommand("suse", "v4l2"), "sudo zypper install libv4l2-0");
});
