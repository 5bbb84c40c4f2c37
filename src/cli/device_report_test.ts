import assert from "node:assert/strict";
import { Camera } from "../device/camera.ts";
import { DeviceError } from "../device/errors.ts";
import type { DeviceInfo } from "../device/list.ts";
import { Loopback } from "../device/loopback.ts";
import { devicesCommand } from "./devices.ts";
import { formatDeviceReport } from "./device_report.ts";
import { explain, MODPROBE_COMMAND, MODPROBE_CONF_LINE } from "./explain.ts";

const hasVideoDevices = [...Deno.readDirSync("/dev")].some((e) => /^video\d+$/.test(e.name));

const vivid: DeviceInfo = {
  path: "/dev/video0",
  kind: "capture",
  driver: "vivid",
  card: "vivid",
  busInfo: "platform:vivid-000",
  capture: true,
  output: false,
  captureFormats: [
    {
      fourcc: "YUYV",
      description: "YUYV 4:2:2",
      compressed: false,
      usable: true,
      sizes: [{ width: 640, height: 480, fps: [12.5, 25] }],
    },
    {
      fourcc: "UYVY",
      description: "UYVY 4:2:2",
      compressed: false,
      usable: false,
      sizes: [{ width: 640, height: 480, fps: [12.5, 25] }],
    },
    {
      fourcc: "MJPG",
      description: "Motion-JPEG",
      compressed: true,
      usable: true,
      sizes: { minWidth: 16, maxWidth: 1920, minHeight: 16, maxHeight: 1080 },
    },
  ],
  outputFormats: [],
  error: null,
};

const loopback: DeviceInfo = {
  path: "/dev/video10",
  kind: "loopback",
  driver: "v4l2 loopback",
  card: "VirtualCam",
  busInfo: "platform:v4l2loopback-000",
  capture: false,
  output: true,
  captureFormats: [],
  outputFormats: ["BGR4", "YUYV", "YU12", "NV12", "MJPG"].map((fourcc) => ({
    fourcc,
    description: fourcc,
    compressed: fourcc === "MJPG",
    usable: ["YUYV", "YU12", "NV12"].includes(fourcc),
    sizes: null,
  })),
  error: null,
};

Deno.test("formatDeviceReport() lists cameras, groups formats and names the defaults", () => {
  const { text, ok } = formatDeviceReport({
    devices: [vivid, loopback],
    defaultCamera: "/dev/video0",
    defaultLoopback: "/dev/video10",
  });
  assert.equal(ok, true);
  assert.equal(
    text,
    [
      "Cameras:",
      '  /dev/video0  "vivid" (driver vivid, platform:vivid-000)  [default camera]',
      "    YUYV*, UYVY",
      "      640x480: 12.5, 25 fps",
      "    MJPG (Motion-JPEG)",
      "      16x16 to 1920x1080",
      "  (* = backscrub can read this format)",
      "Virtual cameras (v4l2loopback):",
      '  /dev/video10  "VirtualCam" (driver v4l2 loopback, platform:v4l2loopback-000)  [default virtual camera]',
      "    no writer; takes YUYV, YU12, NV12 (and 2 other formats); with exclusive_caps=1 apps see it only while backscrub writes to it",
      "",
      "backscrub uses: camera /dev/video0 → virtual camera /dev/video10",
    ].join("\n"),
  );
});

Deno.test("formatDeviceReport() says what is missing and how to fix it", () => {
  const noLoop = formatDeviceReport({
    devices: [vivid],
    defaultCamera: "/dev/video0",
    defaultLoopback: null,
  });
  assert.equal(noLoop.ok, false);
  assert.ok(noLoop.text.includes(MODPROBE_COMMAND));
  assert.ok(noLoop.text.includes(MODPROBE_CONF_LINE));
  const denied = formatDeviceReport({
    devices: [{
      ...vivid,
      kind: "other",
      error: {
        kind: "permission",
        message: 'Cannot open video device "/dev/video0": permission denied',
        errno: 13,
      },
    }],
    defaultCamera: null,
    defaultLoopback: null,
  });
  assert.match(
    denied.text,
    /No camera backscrub can open \(add yourself to the video group: sudo usermod -aG video \$USER/,
  );
  assert.ok(
    denied.text.includes(
      'Devices that could not be opened:\n  Cannot open video device "/dev/video0": permission ' +
        "denied (add yourself to the video group",
    ),
    denied.text,
  );
  const notV4l2 = formatDeviceReport({
    devices: [vivid, loopback, {
      ...vivid,
      path: "/dev/video3",
      kind: "other",
      error: {
        kind: "not-v4l2",
        message: 'Cannot open video device "/dev/video3": it is not a V4L2 video device',
        errno: 25,
      },
    }],
    defaultCamera: "/dev/video0",
    defaultLoopback: "/dev/video10",
  });
  assert.ok(notV4l2.ok);
  assert.ok(
    notV4l2.text.includes(
      '  Cannot open video device "/dev/video3": it is not a V4L2 video device ' +
        "(backscrub devices lists the video devices)",
    ),
    notV4l2.text,
  );
  const none = formatDeviceReport({ devices: [], defaultCamera: null, defaultLoopback: null });
  assert.equal(none.ok, false);
  assert.match(
    none.text,
    /^No video devices found \(there is no \/dev\/video\* node on this machine\)\./,
  );
});

Deno.test({
  name: "devicesCommand() on a machine without video devices says so and exits 1",
  ignore: hasVideoDevices,
  fn() {
    const out: string[] = [];
    assert.equal(devicesCommand({ print: (t) => out.push(t) }), 1);
    assert.match(out[0]!, /^No video devices found/);
    assert.equal(devicesCommand({ json: true, print: (t) => out.push(t) }), 1);
    const { pipewire, ...list } = JSON.parse(out[1]!);
    assert.deepEqual(list, { devices: [], defaultCamera: null, defaultLoopback: null });
    // What PipeWire offers rides along (see pipewire_report.ts).
    assert.equal(typeof pipewire.running, "boolean");
  },
});

Deno.test({
  name: "Loopback.open() without a device: the modprobe line and config in the user's line",
  ignore: hasVideoDevices,
  fn() {
    assert.throws(
      () => Loopback.open(undefined, { width: 64, height: 48 }),
      (e: unknown) =>
        e instanceof DeviceError && e.kind === "no-loopback" &&
        explain(e).startsWith("No v4l2loopback device found (load it: " + MODPROBE_COMMAND) &&
        explain(e).includes(`"${MODPROBE_CONF_LINE}" in /etc/modprobe.d/v4l2loopback.conf`),
    );
  },
});

Deno.test("Camera.open() and Loopback.open() errors: the user's line says how to fix them", () => {
  assert.throws(
    () => Camera.open("video97"),
    (e: unknown) =>
      e instanceof DeviceError &&
      explain(e) === 'Cannot open video device "/dev/video97": no such file ' +
          "(is the camera plugged in? choose your camera with -c; backscrub devices lists them)",
  );
  assert.throws(
    () => Camera.open("/dev/null"),
    (e: unknown) =>
      e instanceof DeviceError &&
      explain(e) === 'Cannot open video device "/dev/null": it is not a V4L2 video device ' +
          "(choose your camera with -c; backscrub devices lists them)",
  );
  assert.throws(
    () => Loopback.open("/dev/video97", { width: 64, height: 48 }),
    (e: unknown) =>
      e instanceof DeviceError &&
      explain(e).startsWith(
        'Cannot open virtual camera device "/dev/video97": no such file (is v4l2loopback loaded? load it: sudo modprobe',
      ),
  );
});
