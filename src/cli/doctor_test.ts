import assert from "node:assert/strict";
import { join } from "node:path";
import type { DeviceInfo, DeviceList } from "../device/list.ts";
import {
  checkAccess,
  checkCamera,
  checkCpu,
  checkFirefoxRate,
  checkModule,
  checkTelemetry,
  checkVirtual,
  formatReport,
  identity,
  type LoopbackModule,
  ortTelemetryCache,
  readLoopbackModule,
} from "./doctor.ts";
import { distroFamily } from "./explain.ts";

function device(path: string, fields: Partial<DeviceInfo>): DeviceInfo {
  return {
    path,
    kind: "capture",
    driver: "uvcvideo",
    card: "Integrated Camera",
    busInfo: "usb-0000:00:14.0-8",
    capture: true,
    output: false,
    captureFormats: [],
    outputFormats: [],
    error: null,
    ...fields,
  };
}

const CAMERA = device("/dev/video0", {
  captureFormats: [
    {
      fourcc: "YUYV",
      description: "YUYV 4:2:2",
      compressed: false,
      usable: true,
      sizes: [{ width: 640, height: 480, fps: [30] }, { width: 1280, height: 720, fps: [10] }],
    },
    {
      fourcc: "MJPG",
      description: "Motion-JPEG",
      compressed: true,
      usable: true,
      sizes: [{ width: 1920, height: 1080, fps: [30] }],
    },
    {
      fourcc: "H264",
      description: "H.264",
      compressed: true,
      usable: false,
      sizes: [{ width: 1920, height: 1080, fps: [30] }],
    },
  ],
});
const LOOPBACK = device("/dev/video10", {
  kind: "loopback",
  driver: "v4l2 loopback",
  card: "VirtualCam",
  busInfo: "platform:v4l2loopback-000",
  capture: false,
  output: true,
});

function list(...devices: DeviceInfo[]): DeviceList {
  return {
    devices,
    defaultCamera: devices.find((d) => d.kind === "capture")?.path ?? null,
    defaultLoopback: devices.find((d) => d.kind === "loopback")?.path ?? null,
  };
}

const LOADED: LoopbackModule = {
  loaded: true,
  installed: true,
  version: "0.12.7",
  parameters: { devices: "1", exclusive_caps: "Y,N,N,N,N,N,N,N", max_buffers: "2" },
};
const NOT_LOADED: LoopbackModule = {
  loaded: false,
  installed: null,
  version: null,
  parameters: {},
};

Deno.test("distroFamily() reads ID and ID_LIKE from os-release", () => {
  assert.equal(distroFamily('ID=debian\nVERSION_ID="12"'), "debian");
  assert.equal(distroFamily("ID=ubuntu\nID_LIKE=debian"), "debian");
  assert.equal(distroFamily('ID=linuxmint\nID_LIKE="ubuntu debian"'), "debian");
  assert.equal(distroFamily("ID=fedora\nVERSION_ID=40"), "fedora");
  assert.equal(distroFamily('ID="rocky"\nID_LIKE="rhel centos fedora"'), "fedora");
  assert.equal(distroFamily("ID=arch"), "arch");
  assert.equal(distroFamily('ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"'), "suse");
  assert.equal(distroFamily("ID=nixos"), "other");
  assert.equal(distroFamily(""), "other");
});

Deno.test("readLoopbackModule() and checkModule() report the module's parameters", async () => {
  const sys = await Deno.makeTempDir();
  try {
    assert.deepEqual(readLoopbackModule(sys, "kernel/drivers/media/vivid.ko:\n"), {
      loaded: false,
      installed: false,
      version: null,
      parameters: {},
    });
    const dir = join(sys, "module", "v4l2loopback");
    await Deno.mkdir(join(dir, "parameters"), { recursive: true });
    await Deno.writeTextFile(join(dir, "version"), "0.12.7\n");
    const params: Record<string, string> = {
      devices: "1",
      exclusive_caps: "Y,N,N,N,N,N,N,N",
      max_buffers: "2",
      video_nr: "10,-1,-1,-1,-1,-1,-1,-1",
      card_label: "VirtualCam,,,,,,,",
      debug: "0",
    };
    for (const [k, v] of Object.entries(params)) {
      await Deno.writeTextFile(join(dir, "parameters", k), `${v}\n`);
    }
    const module = readLoopbackModule(
      sys,
      "updates/dkms/v4l2loopback.ko: kernel/drivers/media/v4l2-core/videodev.ko\n",
    );
    assert.deepEqual(module, {
      loaded: true,
      installed: true,
      version: "0.12.7",
      parameters: params,
    });
    assert.deepEqual(checkModule(module, "debian"), {
      status: "ok",
      text:
        "v4l2loopback 0.12.7 loaded: devices=1, exclusive_caps=Y, max_buffers=2, video_nr=10, card_label=VirtualCam",
    });
    // v4l2loopback 0.12.7 (Debian 12) has no devices, card_label or version files.
    assert.equal(
      checkModule(
        {
          loaded: true,
          installed: true,
          version: null,
          parameters: { exclusive_caps: "Y,N,N", max_buffers: "2", video_nr: "10,11,-1" },
        },
        "debian",
      ).text,
      "v4l2loopback loaded: exclusive_caps=Y,N, max_buffers=2, video_nr=10,11",
    );
    const many = checkModule({ ...module, parameters: { ...params, max_buffers: "8" } }, "debian");
    assert.equal(many.status, "warn");
    assert.match(many.text, /Chrome has been seen to need max_buffers=2/);
    const few = checkModule({ ...module, parameters: { ...params, max_buffers: "1" } }, "debian");
    assert.equal(few.status, "fail");
    assert.match(few.text, /max_buffers=1 is too few to stream$/);
    assert.match(
      few.fix!,
      /sudo modprobe -r v4l2loopback && sudo modprobe v4l2loopback .* max_buffers=2$/,
    );
  } finally {
    await Deno.remove(sys, { recursive: true });
  }
});

Deno.test("checkModule() says how to install or load a missing module, per distribution", () => {
  const missing = checkModule({ ...NOT_LOADED, installed: false }, "debian");
  assert.equal(missing.status, "fail");
  assert.equal(missing.text, "v4l2loopback is not installed for this kernel");
  assert.match(
    missing.fix!,
    /^sudo apt install v4l2loopback-dkms, then load it: sudo modprobe v4l2loopback devices=1 exclusive_caps=1 /,
  );
  assert.match(
    checkModule({ ...NOT_LOADED, installed: false }, "fedora").fix!,
    /^sudo dnf install v4l2loopback \(from RPM Fusion\)/,
  );
  assert.match(
    checkModule({ ...NOT_LOADED, installed: false }, "arch").fix!,
    /^sudo pacman -S v4l2loopback-dkms/,
  );
  const notLoaded = checkModule({ ...NOT_LOADED, installed: true }, "debian");
  assert.equal(notLoaded.text, "v4l2loopback is not loaded");
  assert.match(
    notLoaded.fix!,
    /^load it: sudo modprobe v4l2loopback .*\/etc\/modprobe\.d\/v4l2loopback\.conf/,
  );
  assert.match(
    checkModule(NOT_LOADED, "debian").fix!,
    /^install it if needed \(sudo apt install v4l2loopback-dkms\), then load it/,
  );
});

Deno.test("checkVirtual() finds the virtual camera and its exclusive_caps", () => {
  const none = (): string => "in use by obs (pid 42)";
  assert.deepEqual(checkVirtual(list(CAMERA, LOOPBACK), null, LOADED, none), [{
    status: "ok",
    text:
      'virtual camera /dev/video10 ("VirtualCam"): writable, exclusive_caps=1 (browsers, Zoom and Teams list it)',
  }]);
  const open = checkVirtual(list(CAMERA, { ...LOOPBACK, capture: true }), null, LOADED, none);
  assert.deepEqual(open.map((c) => c.status), ["ok", "warn"]);
  assert.match(
    open[1]!.text,
    /^\/dev\/video10 has exclusive_caps off: Chrome, Zoom and Teams will not list it$/,
  );
  const taken = checkVirtual(
    list({ ...LOOPBACK, output: false, capture: true }),
    null,
    LOADED,
    none,
  );
  assert.equal(taken[0]!.status, "fail");
  assert.match(
    taken[0]!.text,
    /is taken: another program is writing to it \(in use by obs \(pid 42\)\)$/,
  );

  const fails = (l: DeviceList, v: string | null, module = LOADED): [string, string] => {
    const [c] = checkVirtual(l, v, module, none);
    assert.equal(c!.status, "fail");
    return [c!.text, c!.fix!];
  };
  assert.deepEqual(fails(list(CAMERA), null, NOT_LOADED), [
    "no virtual camera (v4l2loopback is not loaded)",
    "load v4l2loopback (see the line above)",
  ]);
  assert.match(fails(list(CAMERA), null)[0], /v4l2loopback is loaded but made no device$/);
  assert.deepEqual(fails(list(CAMERA, LOOPBACK), "/dev/video0"), [
    '/dev/video0 ("Integrated Camera", uvcvideo) is not a v4l2loopback device',
    'use -v /dev/video10 (or "virtual": "/dev/video10" in the settings file)',
  ]);
  assert.deepEqual(fails(list(CAMERA, LOOPBACK), "video9")[0], "no virtual camera at /dev/video9");
  const denied = {
    ...LOOPBACK,
    kind: "other" as const,
    error: {
      kind: "permission" as const,
      message: 'Cannot open video device "/dev/video10": permission denied',
      errno: 13,
    },
  };
  assert.match(fails(list(CAMERA, denied), null)[1], /usermod -aG video/);
  const deniedCamera = {
    ...CAMERA,
    kind: "other" as const,
    error: { kind: "permission" as const, message: "permission denied", errno: 13 },
  };
  const [refused] = checkVirtual(
    list(deniedCamera, denied),
    null,
    LOADED,
    none,
    (p) => p === "/dev/video10",
  );
  assert.equal(refused!.status, "fail");
  assert.equal(
    refused!.text,
    'cannot open /dev/video10 to see whether it is the virtual camera: Cannot open video device "/dev/video10": permission denied',
  );
  assert.match(refused!.fix!, /usermod -aG video/);
  // A device that cannot be opened for another reason gets that reason's fix, from its kind.
  const busy = {
    ...LOOPBACK,
    error: { kind: "busy" as const, message: "Cannot open … device busy", errno: 16 },
  };
  assert.deepEqual(fails(list(CAMERA, busy), "/dev/video10"), [
    "cannot open the virtual camera /dev/video10: Cannot open … device busy",
    "close the program using it, or choose the virtual camera with -v; fuser -v /dev/video10 " +
    "names it when run as that user or root",
  ]);
  assert.deepEqual(checkVirtual(list(), "out.y4m", NOT_LOADED, none), [
    { status: "ok", text: 'output: the file "out.y4m"' },
  ]);
});

Deno.test("checkCamera() checks the camera live use opens and lists its formats", () => {
  assert.deepEqual(checkCamera(list(CAMERA, LOOPBACK), "/dev/video0"), {
    status: "ok",
    text:
      'camera /dev/video0 ("Integrated Camera", uvcvideo): YUYV up to 1280x720, MJPG up to 1920x1080',
  });
  const none = checkCamera(list(), "/dev/video0");
  assert.equal(none.status, "fail");
  assert.equal(none.text, "no camera at /dev/video0 (no camera found at all)");
  assert.match(none.fix!, /^plug in a camera/);
  const elsewhere = checkCamera(list({ ...CAMERA, path: "/dev/video2" }), "0");
  assert.equal(elsewhere.text, "no camera at /dev/video0 (cameras: /dev/video2)");
  assert.equal(
    elsewhere.fix,
    'use -c /dev/video2 (or "capture": "/dev/video2" in the settings file)',
  );
  const loop = checkCamera(list(CAMERA, LOOPBACK), "video10");
  assert.equal(loop.text, '/dev/video10 ("VirtualCam") is the virtual camera, not a camera');
  const h264 = checkCamera(
    list({ ...CAMERA, captureFormats: CAMERA.captureFormats.slice(2) }),
    "/dev/video0",
  );
  assert.match(h264.text, /has no format backscrub reads \(it offers H264\)$/);
  assert.equal(checkCamera(list(), "/nonexistent/clip.mp4").status, "fail");
});

Deno.test("identity() and checkAccess() explain the video group", () => {
  const status =
    "Name:\tdeno\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t24 27 1000 \n";
  const passwd = "root:x:0:0:root:/root:/bin/bash\nann:x:1000:1000:Ann:/home/ann:/bin/bash\n";
  const ann = identity(1000, status, passwd);
  assert.deepEqual(ann, { uid: 1000, name: "ann", gids: [1000, 24, 27] });
  const group = (members: string): string => `root:x:0:\nvideo:x:44:${members}\nann:x:1000:\n`;
  const denied = list({
    ...CAMERA,
    kind: "other",
    error: {
      kind: "permission",
      message: 'Cannot open video device "/dev/video0": permission denied',
      errno: 13,
    },
  });
  const camera = checkCamera(denied, "/dev/video0");
  assert.deepEqual(camera, {
    status: "fail",
    text:
      'cannot open the camera /dev/video0: Cannot open video device "/dev/video0": permission denied',
    fix: "add yourself to the video group: sudo usermod -aG video $USER, then log out and in again",
  });

  assert.equal(checkAccess(identity(0, "", passwd), group(""), denied).status, "ok");
  assert.deepEqual(checkAccess({ ...ann, gids: [1000, 44] }, group("ann"), list(CAMERA)), {
    status: "ok",
    text: "ann is in the video group",
  });
  const later = checkAccess(ann, group("bob,ann"), denied);
  assert.equal(later.status, "fail");
  assert.equal(later.text, "ann was added to the video group after this login started");
  assert.equal(later.fix, "log out and in again (or run: newgrp video)");
  const out = checkAccess(ann, group(""), denied);
  assert.equal(out.status, "fail");
  assert.match(out.fix!, /^add yourself to the video group: sudo usermod -aG video \$USER/);
  const seat = checkAccess(ann, group(""), list(CAMERA));
  assert.equal(seat.status, "warn");
  assert.match(seat.text, /^ann is not in the video group \(the desktop session gives access now/);
});

Deno.test("checkCpu() warns when the cores are busy or too many threads are asked for", () => {
  assert.deepEqual(checkCpu(4, 0.5, 1), {
    status: "ok",
    text: "CPU: 4 cores, load 0.50, about 3.5 free (backscrub needs about 1 at 30 fps)",
  });
  assert.equal(checkCpu(2, 1.9, 1).status, "warn");
  const threads = checkCpu(4, 2, 4);
  assert.equal(threads.status, "warn");
  assert.equal(threads.fix, 'use -t 2 (or "threads" in the settings file)');
  assert.equal(checkCpu(1, null, 1).text, "CPU: 1 core (load unknown)");
});

Deno.test("formatReport() prints one line per check with the fix, then the verdict", () => {
  const lines = formatReport({
    checks: [
      { status: "ok", text: "a" },
      { status: "warn", text: "b", fix: "do b" },
      { status: "fail", text: "c", fix: "do c" },
    ],
    ok: false,
    route: "/dev/video0 → /dev/video10",
  });
  assert.deepEqual(lines, [
    "ok    a",
    "warn  b — fix: do b",
    "FAIL  c — fix: do c",
    "backscrub doctor: 1 problem: live use will not work until it is fixed",
  ]);
  assert.deepEqual(
    formatReport({ checks: [{ status: "ok", text: "a" }], ok: true, route: "x → y" }).at(-1),
    "backscrub doctor: live use will work (x → y)",
  );
});

function hasVideoDevices(): boolean {
  try {
    return [...Deno.readDirSync("/dev")].some((e) => /^video\d+$/.test(e.name));
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "backscrub doctor on a machine without video devices: each missing piece and its fix, exit 1",
  ignore: hasVideoDevices() || Deno.env.get("V4L2VM") === "1",
  async fn() {
    const home = await Deno.makeTempDir();
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "doctor"],
        env: { XDG_CONFIG_HOME: join(home, "config") },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      const lines = text.trimEnd().split("\n");
      assert.equal(out.code, 1, text + new TextDecoder().decode(out.stderr));
      const line = (start: string): string => {
        const found = lines.find((l) => l.startsWith(start));
        assert.ok(found, `no line starting "${start}" in:\n${text}`);
        return found;
      };
      if (!(await Deno.stat("/sys/module/v4l2loopback").catch(() => null))) {
        assert.match(
          line("FAIL  v4l2loopback is not"),
          / — fix: .*sudo modprobe v4l2loopback devices=1 exclusive_caps=1/,
        );
        line("FAIL  no virtual camera (v4l2loopback is not loaded) — fix: load v4l2loopback");
      }
      assert.match(
        line("FAIL  no camera at /dev/video0 (no camera found at all)"),
        / — fix: plug in a camera/,
      );
      assert.match(line("ok    ONNX Runtime 1."), /libonnxruntime\.so/);
      assert.match(
        line("ok    libjpeg-turbo "),
        /^ok {4}libjpeg-turbo \d+\.\d+\.\d+ \(\/.*libturbojpeg\.so/,
      );
      line("ok    ONNX Runtime telemetry off (ORT_DISABLE_TELEMETRY=1, DisableTelemetryEvents)");
      line("ok    libv4l2 ");
      line('ok    model "landscape" (in use): 256x144, probability');
      line("ok    settings: none read");
      assert.ok(lines.some((l) => /^(ok {2}|warn) {2}CPU: \d+ cores?/.test(l)), text);
      assert.match(
        lines.at(-1)!,
        /^backscrub doctor: \d+ problems: live use will not work until they are fixed$/,
      );
      assert.equal(new TextDecoder().decode(out.stderr), "");
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("checkTelemetry() says whether ONNX Runtime's telemetry is off and what an old run left", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(
    ortTelemetryCache(env({ HOME: "/home/u" })),
    "/home/u/.cache/Microsoft/DeveloperTools/.onnxruntime",
  );
  assert.equal(
    ortTelemetryCache(env({ HOME: "/home/u", XDG_CACHE_HOME: "/c" })),
    "/c/Microsoft/DeveloperTools/.onnxruntime",
  );
  assert.equal(ortTelemetryCache(env({})), null);
  const cache = "/c/Microsoft/DeveloperTools/.onnxruntime";
  assert.deepEqual(checkTelemetry(true, cache, () => false), {
    status: "ok",
    text: "ONNX Runtime telemetry off (ORT_DISABLE_TELEMETRY=1, DisableTelemetryEvents)",
  });
  const old = checkTelemetry(true, cache, (p) => p === cache);
  assert.equal(old.status, "warn");
  assert.match(old.fix!, /rm -r '\/c\/Microsoft\/DeveloperTools\/\.onnxruntime'/);
  assert.equal(checkTelemetry(false, null).status, "fail");
});

Deno.test("checkFirefoxRate() says when Firefox gets 15 fps and that MJPG gives the full rate", () => {
  const wide = checkFirefoxRate({
    outputFormat: "YUYV",
    virtualSize: { width: 1280, height: 720 },
    captureSize: null,
  });
  assert.equal(wide.status, "warn");
  assert.match(wide.text, /Firefox reads uncompressed cameras 800 or more wide at 15 fps at most/);
  assert.match(wide.fix!, /--out-format MJPG/);
  assert.equal(
    checkFirefoxRate({ outputFormat: "MJPG", virtualSize: null, captureSize: null }).status,
    "ok",
  );
  assert.equal(
    checkFirefoxRate({
      outputFormat: "YUYV",
      virtualSize: { width: 640, height: 360 },
      captureSize: null,
    }).status,
    "ok",
  );
});
