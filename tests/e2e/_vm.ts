/**
 * Helpers for the end-to-end tests that run inside the real-kernel VM
 * (`scripts/test-e2e.sh`): device paths, `v4l2-ctl`, vivid controls, colour
 * bars and comparisons.
 *
 * The e2e files are named `*_e2e.ts` so the normal suite (`*_test.ts`) never
 * picks them up on hosts without devices.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Whether we run inside the VM (`run-in-vm.sh` sets `V4L2VM=1`). */
export const IN_VM: boolean = Deno.env.get("V4L2VM") === "1";
/** vivid's capture node. */
export const CAPTURE: string = Deno.env.get("V4L2VM_CAPTURE") ?? "/dev/video0";
/** The v4l2loopback node (exclusive_caps=1). */
export const LOOPBACK: string = Deno.env.get("V4L2VM_LOOPBACK") ?? "/dev/video10";
/** The project root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * `Deno.test` for the VM: outside it, one failing test says how to run them.
 *
 * @param name The test name.
 * @param fn The test.
 */
export function vmTest(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });
}

if (!IN_VM) {
  Deno.test("e2e tests need the VM", () => {
    throw new Error(
      "These tests need real V4L2 devices: run them with `deno task test:e2e` (scripts/test-e2e.sh)",
    );
  });
}

/** The result of {@linkcode run}. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs a command and collects its output.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @returns Exit code and output.
 */
export async function run(cmd: string, args: string[]): Promise<RunResult> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs `v4l2-ctl` and fails the test when it fails.
 *
 * @param args Its arguments.
 * @returns Standard output.
 */
export async function v4l2ctl(...args: string[]): Promise<string> {
  const r = await run("v4l2-ctl", args);
  if (r.code !== 0) throw new Error(`v4l2-ctl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Makes vivid's picture still: 75% colour bars, no OSD text (frame counter,
 * timestamp), no movement. Then every frame of a format is byte-identical.
 */
export async function stillVivid(): Promise<void> {
  await v4l2ctl(
    "-d",
    CAPTURE,
    "-c",
    "test_pattern=0,osd_text_mode=2,horizontal_movement=3,vertical_movement=3",
  );
}

/** The 75%-free, full-saturation bars the loopback tests write: white … black. */
export const BARS: readonly [number, number, number][] = [
  [255, 255, 255],
  [255, 255, 0],
  [0, 255, 255],
  [0, 255, 0],
  [255, 0, 255],
  [255, 0, 0],
  [0, 0, 255],
  [0, 0, 0],
];

/**
 * Eight vertical colour bars.
 *
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @returns RGB bytes.
 */
export function colourBars(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const c = BARS[Math.floor((x * 8) / width)]!;
    for (let y = 0; y < height; y++) rgb.set(c, (y * width + x) * 3);
  }
  return rgb;
}

/**
 * The largest per-channel difference over every pixel at least `margin`
 * pixels away from a bar edge (4:2:x chroma blurs the edges themselves).
 *
 * @param a RGB.
 * @param b RGB.
 * @param width Width.
 * @param height Height.
 * @param margin Pixels to skip on each side of an edge.
 * @returns The difference.
 */
export function barInteriorError(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  height: number,
  margin = 2,
): number {
  let worst = 0;
  const bar = width / 8;
  for (let x = 0; x < width; x++) {
    // Distance from the pixel centre to the nearest inner bar edge (k * bar, k = 1..7).
    const k = Math.min(7, Math.max(1, Math.round((x + 0.5) / bar)));
    if (Math.abs(x + 0.5 - k * bar) < margin) continue;
    for (let y = 0; y < height; y++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        const d = Math.abs(a[i]! - b[i]!);
        if (d > worst) worst = d;
      }
    }
  }
  return worst;
}

/**
 * Waits until `check` returns true, polling every 50 ms.
 *
 * @param check The condition.
 * @param timeoutMs How long to wait.
 * @param what For the error message.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Milliseconds since `t0`, rounded, for the timing lines the tests print.
 *
 * @param t0 From `performance.now()`.
 * @returns The elapsed time as text.
 */
export function since(t0: number): string {
  return `${Math.round(performance.now() - t0)} ms`;
}
