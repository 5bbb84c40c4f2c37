/**
 * Helpers shared by the `src/io` tests: temporary folders, running ffmpeg, synthetic frames.
 *
 * @module
 */

/**
 * Runs `fn` with a fresh temporary folder and removes it afterwards.
 *
 * @example
 * ```ts
 * import { withTempDir } from "./_testing.ts";
 * await withTempDir(async (dir) => await Deno.writeTextFile(`${dir}/a.txt`, "a"));
 * ```
 *
 * @param fn The test body.
 */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_io_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs ffmpeg (quiet, overwriting) and fails with its stderr when it fails.
 *
 * @example
 * ```ts
 * import { runFfmpeg } from "./_testing.ts";
 * await runFfmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-frames", "3", "a.y4m"]);
 * ```
 *
 * @param args Arguments after `ffmpeg -hide_banner -loglevel error -y`.
 * @returns ffmpeg's stdout.
 */
export async function runFfmpeg(args: string[]): Promise<Uint8Array> {
  const output = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`ffmpeg ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return output.stdout;
}

/**
 * Makes a frame of one colour.
 *
 * @example
 * ```ts
 * import { solidFrame } from "./_testing.ts";
 * solidFrame(2, 1, [255, 0, 0]); // Uint8Array [255, 0, 0, 255, 0, 0]
 * ```
 *
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param rgb The colour.
 * @returns `width * height * 3` bytes.
 */
export function solidFrame(width: number, height: number, rgb: readonly number[]): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  for (let i = 0; i < frame.length; i += 3) frame.set(rgb, i);
  return frame;
}

/**
 * The largest absolute difference between two byte arrays of equal length.
 *
 * @example
 * ```ts
 * import { maxDiff } from "./_testing.ts";
 * maxDiff(new Uint8Array([1, 9]), new Uint8Array([2, 5])); // 4
 * ```
 *
 * @param a First array.
 * @param b Second array.
 * @returns The maximum of `|a[i] - b[i]|`.
 */
export function maxDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
