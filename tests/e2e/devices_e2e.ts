/**
 * `backscrub devices` on a real kernel: lists vivid and the v4l2loopback
 * device. Without a writer the loopback shows its output side only
 * (exclusive_caps=1); while a writer streams it shows the capture format too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type DeviceList, Loopback } from "../../src/device/mod.ts";
import { backscrubAsNobody, CAPTURE, LOOPBACK, ROOT, run, since, vmTest } from "./_vm.ts";

async function backscrub(...args: string[]): Promise<{ code: number; stdout: string }> {
  const r = await run("deno", ["run", "-A", `${ROOT}main.ts`, "devices", ...args]);
  if (r.stderr.trim() !== "") console.log(r.stderr);
  return r;
}

vmTest("backscrub devices lists vivid and the idle loopback device, exit 0", async () => {
  const t0 = performance.now();
  const { code, stdout } = await backscrub();
  console.log(stdout.split("\n").map((l) => `  | ${l}`).join("\n"));
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines[0], "Cameras:");
  assert.match(
    lines[1]!,
    new RegExp(
      `^  ${CAPTURE}  "vivid" \\(driver vivid, platform:vivid-000\\)  \\[default camera\\]$`,
    ),
  );
  assert.ok(lines.includes("      640x480: 1, 2, 4, 5, 10, 12.5, 15, 25 fps"));
  assert.ok(lines.includes("Virtual cameras (v4l2loopback):"));
  assert.ok(
    lines.some((l) =>
      l.startsWith(`  ${LOOPBACK}  "VirtualCam" (driver v4l2 loopback, platform:v4l2loopback-`) &&
      l.endsWith("[default virtual camera]")
    ),
  );
  assert.ok(
    lines.some((l) => /^ {4}no writer; takes YUYV, YU12, NV12 \(and \d+ other formats\)/.test(l)),
  );
  assert.equal(lines.at(-1), `backscrub uses: camera ${CAPTURE} → virtual camera ${LOOPBACK}`);
  console.log(`  (${since(t0)})`);
});

vmTest("backscrub devices shows the loopback's capture side while a writer streams", async () => {
  using out = Loopback.open(LOOPBACK, { width: 320, height: 240, format: "YUYV", fps: 30 });
  out.write(new Uint8Array(out.negotiated.frameBytes).fill(128));
  const text = await backscrub();
  assert.equal(text.code, 0);
  assert.ok(
    text.stdout.includes(
      "    a program is writing to it; readers see:\n      YUYV (YUYV 4:2:2)\n        320x240: 30 fps",
    ),
    text.stdout,
  );
  const json = await backscrub("--json");
  assert.equal(json.code, 0);
  const list = JSON.parse(json.stdout) as DeviceList;
  assert.equal(list.defaultCamera, CAPTURE);
  assert.equal(list.defaultLoopback, LOOPBACK);
  const loop = list.devices.find((d) => d.path === LOOPBACK)!;
  assert.equal(loop.kind, "loopback");
  // With exclusive_caps=1 a writer turns the node into a capture device only.
  assert.deepEqual([loop.capture, loop.output], [true, false]);
  assert.deepEqual(loop.captureFormats.map((f) => f.fourcc), ["YUYV"]);
  assert.deepEqual(loop.captureFormats[0]!.sizes, [{ width: 320, height: 240, fps: [30] }]);
});

vmTest("backscrub devices as a user outside the video group: exit 1 with the fix", async () => {
  const r = await backscrubAsNobody("devices");
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(r.stdout.includes("Devices that could not be opened:"), r.stdout);
  assert.ok(r.stdout.includes(`Cannot open video device "${CAPTURE}": permission denied`));
  assert.ok(r.stdout.includes("No camera backscrub can open (add yourself to the video group"));
  // --json gives the error as data: the kind, the message (facts only) and the errno.
  const json = await backscrubAsNobody("devices", "--json");
  const camera = (JSON.parse(json.stdout) as DeviceList).devices.find((d) => d.path === CAPTURE);
  assert.deepEqual(camera?.error, {
    kind: "permission",
    message: `Cannot open video device "${CAPTURE}": permission denied`,
    errno: 13,
  });
});
