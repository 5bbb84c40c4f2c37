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
import { Camera, DeviceError } from "../../src/device/mod.ts";
export { BARS, colourBars } from "../fixtures/bars.ts";

/** Whether we run inside the VM (`run-in-vm.sh` sets `V4L2VM=1`). */
export const IN_VM: boolean = Deno.env.get("V4L2VM") === "1";
/** vivid's capture node. */
export const CAPTURE: string = Deno.env.get("V4L2VM_CAPTURE") ?? "/dev/video0";
/** The v4l2loopback node (exclusive_caps=1). */
export const LOOPBACK: string = Deno.env.get("V4L2VM_LOOPBACK") ?? "/dev/video10";
/**
 * A second v4l2loopback node ("MjpgCam", exclusive_caps=1, loaded by `scripts/test-e2e.sh`) that a
 * test feeds to play a camera vivid cannot be, e.g. an MJPG one.
 */
export const CAMERA_LOOPBACK: string = Deno.env.get("E2E_CAMERA_LOOPBACK") ?? "/dev/video11";
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
 * Runs `deno <args>` as user nobody (uid 65534, no groups: not in the video group), with a Deno
 * cache of its own.
 *
 * @param args deno's arguments
 * @returns the exit code and output
 */
export async function denoAsNobody(...args: string[]): Promise<RunResult> {
  const denoDir = await Deno.makeTempDir();
  await Deno.chmod(denoDir, 0o777);
  return await run("setpriv", [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "env",
    `DENO_DIR=${denoDir}`,
    "HOME=/tmp",
    "deno",
    ...args,
  ]);
}

/**
 * Runs backscrub's `main.ts` as user nobody (see {@linkcode denoAsNobody}).
 *
 * @param args backscrub's arguments
 * @returns the exit code and output
 */
export function backscrubAsNobody(...args: string[]): Promise<RunResult> {
  return denoAsNobody("run", "-A", `${ROOT}main.ts`, ...args);
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
 * Makes vivid's picture still: 75% colour bars (or another test pattern, see
 * {@linkcode PATTERN}), no OSD text (frame counter, timestamp), no movement.
 * Then every frame of a format is byte-identical.
 *
 * @param pattern vivid's `test_pattern` (default 0, 75% colour bars).
 */
export async function stillVivid(pattern = 0): Promise<void> {
  await v4l2ctl(
    "-d",
    CAPTURE,
    "-c",
    `test_pattern=${pattern},osd_text_mode=2,horizontal_movement=3,vertical_movement=3`,
  );
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

/** vivid test patterns the tests use (`v4l2-ctl -d /dev/video0 -L`). */
export const PATTERN = {
  /** 75% colour bars, eight vertical bars (no structure top to bottom). */
  bars75: 0,
  /** "100% Color Squares": a grid of flat squares, different left/right and top/bottom. */
  squares: 4,
} as const;

/**
 * Resolves after `ms` milliseconds.
 *
 * @param ms The delay.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** How a {@linkcode Backscrub} process ended. */
export interface BackscrubExit {
  /** Exit code (128 + n when killed by a signal). */
  code: number;
  /** The signal that killed it, if one did. */
  signal: Deno.Signal | null;
  /** Everything it printed on stdout. */
  stdout: string;
  /** Everything it printed on stderr. */
  stderr: string;
}

/**
 * The live command (`deno run -A main.ts ARGS`) as a child process, with its
 * output collected as it comes so a test can wait for the banner, signal it,
 * and check its summary. Dispose it (`await using`) to be sure it is gone:
 * a process still running then is killed with SIGKILL.
 */
export class Backscrub implements AsyncDisposable {
  /** The arguments after `main.ts`. */
  readonly args: readonly string[];
  /** The process id. */
  readonly pid: number;
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<Deno.CommandStatus>;
  #stdout = "";
  #stderr = "";
  #status: Deno.CommandStatus | null = null;

  private constructor(args: string[]) {
    this.args = args;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}main.ts`, ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#child.pid;
    const pump = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) add(text);
    };
    const pumps = Promise.all([
      pump(this.#child.stdout, (s) => this.#stdout += s),
      pump(this.#child.stderr, (s) => this.#stderr += s),
    ]);
    this.#done = this.#child.status.then(async (status) => {
      await pumps;
      this.#status = status;
      return status;
    });
  }

  /**
   * Starts `deno run -A main.ts ...args` in the project root.
   *
   * @param args backscrub's arguments.
   * @returns The running process.
   */
  static spawn(args: string[]): Backscrub {
    return new Backscrub(args);
  }

  /** Standard output so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Standard error so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Whether the process has ended (and its output is complete). */
  get exited(): boolean {
    return this.#status !== null;
  }

  /**
   * The command line and its output, for failure messages.
   *
   * @returns Several lines.
   */
  describe(): string {
    const status = this.#status === null
      ? "running"
      : `exit ${this.#status.code}${this.#status.signal ? ` (${this.#status.signal})` : ""}`;
    return `backscrub ${this.args.join(" ")} [${status}]\n--- stdout\n${this.#stdout}` +
      `--- stderr\n${this.#stderr}---`;
  }

  /**
   * Waits until stdout matches `pattern`.
   *
   * @param pattern What to wait for.
   * @param timeoutMs How long.
   * @returns The match.
   * @throws {Error} On timeout, or when the process ends first (with its output).
   */
  async waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.#stdout);
      if (m) return m;
      if (this.exited) {
        throw new Error(`backscrub ended before printing ${pattern}:\n${this.describe()}`);
      }
      if (Date.now() > end) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${pattern}:\n${this.describe()}`,
        );
      }
      await sleep(50);
    }
  }

  /**
   * Sends a signal (nothing when the process has already ended).
   *
   * @param signal The signal.
   */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.exited) return;
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // it ended meanwhile
    }
  }

  /**
   * Waits for the process to end.
   *
   * @param timeoutMs How long; then it is killed with SIGKILL and this throws.
   * @returns Exit code, signal and the whole output.
   */
  async wait(timeoutMs: number): Promise<BackscrubExit> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((r) => timer = setTimeout(() => r(null), timeoutMs));
    const status = await Promise.race([this.#done, timeout]);
    clearTimeout(timer);
    if (status === null) {
      this.kill("SIGKILL");
      await this.#done;
      throw new Error(`backscrub did not end within ${timeoutMs} ms:\n${this.describe()}`);
    }
    return { code: status.code, signal: status.signal, stdout: this.#stdout, stderr: this.#stderr };
  }

  /** Kills the process if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.exited) this.kill("SIGKILL");
    await this.#done;
  }
}

/**
 * Opens the loopback device for reading once the writer streams (with
 * `exclusive_caps=1` it offers capture only then) and starts streaming.
 *
 * @param writer The writing backscrub, to fail fast when it dies.
 * @param timeoutMs How long to keep trying.
 * @returns The started camera (close it before the next writer starts).
 */
export async function openLoopbackReader(writer: Backscrub, timeoutMs: number): Promise<Camera> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let camera: Camera | null = null;
    try {
      camera = Camera.open(LOOPBACK);
      camera.start();
      return camera;
    } catch (error) {
      camera?.close();
      if (!(error instanceof DeviceError)) throw error;
      if (writer.exited) {
        throw new Error(`backscrub ended before the loopback could be read:\n${writer.describe()}`);
      }
      if (Date.now() > end) {
        throw new Error(`Cannot read ${LOOPBACK} after ${timeoutMs} ms (${error.message})`);
      }
      await sleep(100);
    }
  }
}

/** A copied frame of {@linkcode grabFrames}. */
export interface GrabbedFrame {
  /** The bytes (a copy). */
  data: Uint8Array;
  /** The driver's sequence number. */
  sequence: number;
}

/**
 * Grabs `count` frames, each waited for at most `timeoutMs` (readers of a
 * v4l2loopback device block once the writer stops), copying each one.
 *
 * @param camera A started camera.
 * @param count How many.
 * @param timeoutMs The wait per frame.
 * @returns The frames.
 * @throws {Error} When a frame does not come in time.
 */
export async function grabFrames(
  camera: Camera,
  count: number,
  timeoutMs: number,
): Promise<GrabbedFrame[]> {
  const frames: GrabbedFrame[] = [];
  while (frames.length < count) {
    const frame = await camera.grabAsync(timeoutMs);
    if (frame === null) {
      throw new Error(
        `No frame from ${camera.path} within ${timeoutMs} ms (after ${frames.length} of ${count})`,
      );
    }
    frames.push({ data: frame.data.slice(), sequence: frame.sequence });
    camera.release(frame);
  }
  return frames;
}
