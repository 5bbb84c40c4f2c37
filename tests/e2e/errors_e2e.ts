/**
 * Error cases on real devices: busy (naming the holder), not a capture
 * device, no such device, a second writer, permission denied. The device
 * layer's errors state the facts and carry the kind, device, purpose and
 * holders; the user's line (`explain()`, as `backscrub` prints it) adds the fix.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Camera } from "../../src/device/camera.ts";
import { DeviceError } from "../../src/device/errors.ts";
import { findHolders } from "../../src/device/holders.ts";
import { Loopback } from "../../src/device/loopback.ts";
import { explain, MODPROBE_COMMAND } from "../../src/cli/explain.ts";
import { CAPTURE, denoAsNobody, LOOPBACK, ROOT, vmTest, waitFor } from "./_vm.ts";

/**
 * Checks a DeviceError: its kind, its facts-only message, and the user's line with the fix.
 *
 * @param kind the expected kind
 * @param pattern matched against the user's line: `explain(e)`
 */
function isDeviceError(kind: DeviceError["kind"], pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof DeviceError)) throw e;
    assert.equal(e.kind, kind, e.message);
    assert.doesNotMatch(e.message, /\s-[cvf]\b|backscrub devices|sudo /, "facts only");
    const line = explain(e);
    assert.match(line, pattern);
    assert.ok(!line.includes("\n"), "one line");
    return true;
  };
}

vmTest("Camera names the other process that streams from the device (EBUSY)", async () => {
  const child = new Deno.Command("v4l2-ctl", {
    args: [
      "-d",
      CAPTURE,
      "--set-fmt-video=width=320,height=180,pixelformat=YUYV",
      "--stream-mmap",
      "--stream-count=100000",
      "--stream-to=/dev/null",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitFor(
      () => findHolders(CAPTURE).others.some((h) => h.pid === child.pid),
      10000,
      "v4l2-ctl",
    );
    await new Promise((r) => setTimeout(r, 500)); // let it reach STREAMON
    let message = "";
    try {
      using camera = Camera.open(CAPTURE, { width: 320, height: 180, format: "YUYV" });
      camera.start();
      assert.fail("start() should fail while v4l2-ctl streams");
    } catch (e) {
      isDeviceError(
        "busy",
        /device busy, in use by v4l2-ctl \(pid \d+\) \(close it, or choose your camera with -c/,
      )(e);
      assert.ok((e as DeviceError).holders?.others.some((h) => h.pid === child.pid));
      message = explain(e);
    }
    assert.ok(message.includes(`(pid ${child.pid})`), message);
    console.log(`  ${message}`);
  } finally {
    child.kill();
    await child.status;
  }
});

vmTest("Camera says when this process itself already streams the device (EBUSY)", () => {
  using first = Camera.open(CAPTURE, { width: 320, height: 180, format: "YUYV" });
  first.start();
  // vivid refuses S_FMT while another handle streams, so open() already fails.
  assert.throws(
    () => Camera.open(CAPTURE, { width: 320, height: 180, format: "YUYV" }),
    isDeviceError(
      "busy",
      /^Cannot set the format of "\/dev\/video0": device busy, in use by this process \(pid \d+\) \(this process already has it open/,
    ),
  );
  first.stop();
  using second = Camera.open(CAPTURE, { width: 320, height: 180, format: "YUYV" });
  second.start(); // free again
  assert.ok(second.grab(5000) !== null);
});

vmTest("Camera refuses the loopback device while nobody writes (exclusive_caps=1)", () => {
  assert.throws(
    () => Camera.open(LOOPBACK),
    isDeviceError(
      "not-capture",
      /^Cannot capture from "\/dev\/video\d+": it is the v4l2loopback device "VirtualCam" and no program is writing to it .*\(choose your camera with -c; backscrub devices lists them\)$/,
    ),
  );
});

vmTest("Camera and Loopback report a missing device with the fix", () => {
  assert.throws(
    () => Camera.open("video9"),
    isDeviceError(
      "not-found",
      /^Cannot open video device "\/dev\/video9": no such file \(is the camera plugged in\? choose your camera with -c/,
    ),
  );
  assert.throws(
    () => Loopback.open("/dev/video9", { width: 64, height: 48 }),
    (e: unknown) => {
      isDeviceError(
        "not-found",
        /^Cannot open virtual camera device "\/dev\/video9": no such file \(is v4l2loopback loaded\?/,
      )(e);
      return explain(e).includes(MODPROBE_COMMAND);
    },
  );
});

vmTest("Loopback refuses a second writer, naming the first", () => {
  using first = Loopback.open(LOOPBACK, { width: 64, height: 48 });
  first.write(new Uint8Array(first.negotiated.frameBytes).fill(128));
  assert.throws(
    () => Loopback.open(LOOPBACK, { width: 64, height: 48 }),
    isDeviceError(
      "busy",
      /another program is already writing to this virtual camera, in use by this process/,
    ),
  );
  // Capture from vivid into the loopback is not a writer: opening vivid as output fails.
  assert.throws(
    () => Loopback.open(CAPTURE, { width: 64, height: 48 }),
    isDeviceError(
      "not-output",
      /^Cannot write to "\/dev\/video0": it is not a v4l2loopback output .*\(choose the virtual camera with -v; backscrub devices lists them\)$/,
    ),
  );
});

vmTest("A user outside the video group gets the usermod fix (permission denied)", async () => {
  // The device nodes are root-only (0600) in the VM; run as nobody.
  const script = `import { Camera } from "${ROOT}src/device/camera.ts";
import { explain } from "${ROOT}src/cli/explain.ts";
try { Camera.open("${CAPTURE}"); } catch (e) { console.log(e.kind, e.errno); console.log(explain(e)); }`;
  const r = await denoAsNobody("eval", script);
  assert.equal(
    r.stdout.trim(),
    "permission 13\n" +
      `Cannot open video device "${CAPTURE}": permission denied (add yourself to the video group: ` +
      "sudo usermod -aG video $USER, then log out and in again)",
    r.stderr,
  );
});
