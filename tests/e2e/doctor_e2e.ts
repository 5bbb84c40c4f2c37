/**
 * `backscrub doctor` on a real kernel: with vivid and v4l2loopback (exclusive_caps=1) every
 * check passes and it exits 0; a taken virtual camera and a user who cannot open the devices
 * each give FAIL lines with the fix and exit 1. (Each run takes ~40 s under the VM's emulation:
 * the other cases are unit tests in src/cli/doctor_test.ts.)
 *
 * @module
 */

import assert from "node:assert/strict";
import { Loopback } from "../../src/device/mod.ts";
import { backscrubAsNobody, CAPTURE, LOOPBACK, ROOT, run, since, vmTest } from "./_vm.ts";

async function doctor(...args: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const r = await run("deno", ["run", "-A", `${ROOT}main.ts`, "doctor", "--no-config", ...args]);
  console.log(r.stdout.trimEnd().split("\n").map((l) => `  | ${l}`).join("\n"));
  // Deno may say it downloads packages (a fresh DENO_DIR); nothing else is expected.
  assert.doesNotMatch(r.stderr, /error|uncaught|warning/i, r.stderr);
  return { code: r.code, lines: r.stdout.trimEnd().split("\n"), text: r.stdout };
}

function has(lines: string[], pattern: RegExp): void {
  assert.ok(lines.some((l) => pattern.test(l)), `no line matches ${pattern}`);
}

vmTest("backscrub doctor with vivid and v4l2loopback: every check passes, exit 0", async () => {
  const t0 = performance.now();
  const { code, lines } = await doctor();
  assert.equal(code, 0);
  assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")), []);
  has(
    lines,
    /^ok {4}v4l2loopback (?:[\d.]+ )?loaded: (?:devices=[12], )?exclusive_caps=Y(?:,Y)?, max_buffers=2, video_nr=10(?:,11)?(?:, card_label=VirtualCam(?:,MjpgCam)?)?$/,
  );
  assert.ok(
    lines.includes(
      `ok    virtual camera ${LOOPBACK} ("VirtualCam"): writable, exclusive_caps=1 (browsers, Zoom and Teams list it)`,
    ),
  );
  has(lines, /^ok {4}running as root: every video device is open to you/);
  has(lines, new RegExp(`^ok {4}camera ${CAPTURE} \\("vivid", vivid\\): .*YUYV up to \\d+x\\d+`));
  has(lines, /^ok {4}ONNX Runtime 1\.\d+\.\d+ \(/);
  has(lines, /^ok {4}libjpeg-turbo \d+\.\d+\.\d+ \(/);
  has(lines, /^ok {4}libv4l2 /);
  has(lines, /^ok {4}model "landscape" \(in use\): 256x144, probability/);
  has(lines, /^(ok {2}|warn) {2}CPU: \d+ cores?/);
  assert.equal(
    lines.at(-1)!.replace(/; \d+ warnings? above$/, ""),
    `backscrub doctor: live use will work (${CAPTURE} → ${LOOPBACK})`,
  );
  console.log(`  (${since(t0)})`);
});

vmTest("backscrub doctor names the program writing to the virtual camera, exit 1", async () => {
  using out = Loopback.open(LOOPBACK, { width: 320, height: 240, format: "YUYV", fps: 30 });
  out.write(new Uint8Array(out.negotiated.frameBytes).fill(128));
  const { code, lines } = await doctor();
  assert.equal(code, 1);
  has(
    lines,
    new RegExp(
      `^FAIL {2}virtual camera ${LOOPBACK} \\("VirtualCam"\\) is taken: another program is writing to it \\(in use by deno \\(pid ${Deno.pid}\\)\\) — fix: stop that program`,
    ),
  );
});

vmTest("backscrub doctor as a user outside the video group: the group fix, exit 1", async () => {
  const r = await backscrubAsNobody("doctor", "--no-config");
  console.log(r.stdout.trimEnd().split("\n").map((l) => `  | ${l}`).join("\n"));
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split("\n");
  has(
    lines,
    /^FAIL {2}\S+ is not in the video group and cannot open .* — fix: add yourself to the video group: sudo usermod -aG video \$USER/,
  );
  has(lines, new RegExp(`^FAIL {2}cannot open the camera ${CAPTURE}: .*permission denied`));
  has(lines, /^FAIL {2}cannot open \/dev\/video10 to see whether it is the virtual camera: /);
});
