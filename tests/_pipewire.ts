/**
 * A private PipeWire session for the tests: a session D-Bus (`dbus-daemon --session` with its
 * own config and address), `pipewire` and `wireplumber`, all with `HOME`, `XDG_RUNTIME_DIR` and
 * the XDG folders in a temporary folder, so nothing of the machine's own session is seen or
 * touched. Ready in a few hundred milliseconds; {@linkcode PipewireSession.close} stops every
 * process it started (by its own handle) and removes the folder.
 *
 * Without the programs (`apt-get install pipewire wireplumber dbus gstreamer1.0-pipewire
 * gstreamer1.0-tools`) the tests are skipped with a note, except under CI (`CI` set), where they
 * run and fail: a CI machine must be able to start PipeWire.
 *
 * @module
 */

import { join } from "node:path";

/** Whether the tests run under CI (`CI` set to anything but `""`, `0` or `false`). */
export const CI = !["", "0", "false"].includes(Deno.env.get("CI") ?? "");

const PROGRAMS = ["dbus-daemon", "pipewire", "wireplumber", "pw-dump", "gst-launch-1.0"];

function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, program)).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The programs a session needs that are missing. */
export const MISSING_PROGRAMS: readonly string[] = PROGRAMS.filter((p) => !onPath(p));

/**
 * Whether a test that needs a PipeWire session is skipped here: only when programs are missing
 * and not under CI (then it says so once).
 *
 * @param test the test file's name, for the note
 * @returns true to skip
 */
export function skipWithoutPipewire(test: string): boolean {
  if (MISSING_PROGRAMS.length === 0 || CI) return false;
  console.warn(
    `${test}: skipped: ${MISSING_PROGRAMS.join(", ")} missing (apt-get install pipewire ` +
      "wireplumber dbus gstreamer1.0-pipewire gstreamer1.0-tools); under CI it fails",
  );
  return true;
}

/**
 * The compiler flags of the PipeWire and SPA headers (`pkg-config --cflags libpipewire-0.3`), or
 * null when the `-dev` packages are missing.
 */
export async function pipewireCflags(): Promise<string[] | null> {
  try {
    const out = await new Deno.Command("pkg-config", {
      args: ["--cflags", "libpipewire-0.3"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).trim().split(/\s+/).filter((a) => a !== "");
  } catch {
    return null;
  }
}

/** The output of a finished command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One object of `pw-dump`: its id, type and properties. */
export interface PwObject {
  id: number;
  type: string;
  props: Record<string, string | number | boolean>;
  /** The whole object as `pw-dump` printed it. */
  raw: Record<string, unknown>;
}

const BUS_CONFIG = (socket: string): string =>
  `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ms: number, ready: () => Promise<boolean>): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ready())) {
    if (performance.now() > end) throw new Error(`PipeWire session: ${what} not ready in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A running private session; see the module comment. */
export class PipewireSession {
  /** The temporary folder everything lives in. */
  readonly dir: string;
  /** `XDG_RUNTIME_DIR` of the session (PipeWire's socket is `pipewire-0` in it). */
  readonly runtimeDir: string;
  /** The environment programs of this session run with (the test's own, pointed here). */
  readonly env: Record<string, string>;
  readonly #children = new Map<string, Deno.ChildProcess>();
  readonly #logs = new Map<string, string>();
  /** How long the last start of the daemons took, in milliseconds. */
  startedInMs = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.runtimeDir = join(dir, "run");
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      if (!/^(PIPEWIRE_|WIREPLUMBER_|DBUS_|XDG_|WAYLAND_|DISPLAY$|PULSE_)/.test(k)) env[k] = v;
    }
    Object.assign(env, {
      HOME: join(dir, "home"),
      XDG_RUNTIME_DIR: this.runtimeDir,
      XDG_CONFIG_HOME: join(dir, "home", ".config"),
      XDG_DATA_HOME: join(dir, "home", ".local", "share"),
      XDG_STATE_HOME: join(dir, "home", ".local", "state"),
      XDG_CACHE_HOME: join(dir, "home", ".cache"),
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(this.runtimeDir, "bus")}`,
      // Deno keeps its cache (npm packages, compiled code) where it was, not in the new HOME.
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        join(
          Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? "/tmp", ".cache"),
          "deno",
        ),
      // GStreamer scans its plugins once per registry file: keep one for all test runs.
      GST_REGISTRY: join(Deno.env.get("TMPDIR") ?? "/tmp", `backscrub-test-gst-${Deno.uid()}.bin`),
      NO_AT_BRIDGE: "1",
    });
    this.env = env;
  }

  /**
   * Starts a session: the bus, then `pipewire` and `wireplumber`, and waits until WirePlumber
   * has connected.
   *
   * @returns the session; {@linkcode close} it
   * @throws {Error} when a program is missing or a part does not come up in time
   */
  static async start(): Promise<PipewireSession> {
    const dir = await Deno.makeTempDir({ prefix: "backscrub-pw-" });
    const session = new PipewireSession(dir);
    try {
      for (const d of ["run", "home/.config", "home/.local/share", "home/.local/state"]) {
        await Deno.mkdir(join(dir, d), { recursive: true, mode: 0o700 });
      }
      await Deno.chmod(session.runtimeDir, 0o700);
      const config = join(dir, "bus.conf");
      await Deno.writeTextFile(config, BUS_CONFIG(join(session.runtimeDir, "bus")));
      session.#spawn("dbus-daemon", ["--config-file", config, "--nofork", "--nopidfile"]);
      await until("the session bus", 5000, () => exists(join(session.runtimeDir, "bus")));
      await session.startDaemon();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  #spawn(program: string, args: string[]): Deno.ChildProcess {
    const child = new Deno.Command(program, {
      args,
      env: this.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#children.set(program, child);
    // Keep what it says (for the failure message), without letting a full pipe stall it.
    const decoder = new TextDecoder();
    const collect = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
      for await (const chunk of stream) {
        const log = (this.#logs.get(program) ?? "") + decoder.decode(chunk);
        this.#logs.set(program, log.slice(-4000));
      }
    };
    void collect(child.stdout).catch(() => {});
    void collect(child.stderr).catch(() => {});
    return child;
  }

  /** What a program of the session printed last (for failure messages). */
  log(program: string): string {
    return this.#logs.get(program) ?? "";
  }

  /** Starts `pipewire` and `wireplumber` and waits until both are up. */
  async startDaemon(): Promise<void> {
    const t0 = performance.now();
    this.#spawn("pipewire", []);
    await until("pipewire", 5000, () => exists(join(this.runtimeDir, "pipewire-0")));
    this.#spawn("wireplumber", []);
    await until("wireplumber", 10_000, async () => {
      const clients = await this.objects("Client").catch(() => []);
      return clients.some((c) => String(c.props["application.name"]) === "WirePlumber");
    });
    this.startedInMs = performance.now() - t0;
  }

  /** Stops `wireplumber` and `pipewire` (the bus stays), as a crash or a restart would. */
  async stopDaemon(): Promise<void> {
    for (const program of ["wireplumber", "pipewire"]) {
      const child = this.#children.get(program);
      if (child === undefined) continue;
      this.#children.delete(program);
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
    }
    // pipewire leaves its socket when killed; a new one replaces it.
    await Deno.remove(join(this.runtimeDir, "pipewire-0")).catch(() => {});
    await Deno.remove(join(this.runtimeDir, "pipewire-0.lock")).catch(() => {});
  }

  /** Stops and starts the daemons (a PipeWire restart, as after an update). */
  async restart(): Promise<void> {
    await this.stopDaemon();
    await this.startDaemon();
  }

  /**
   * Runs a program in the session and waits for it.
   *
   * @param program e.g. `pw-dump`
   * @param args its arguments
   * @param options `timeoutMs` (default 20 s: then it is killed)
   * @returns its exit status and output
   */
  async run(program: string, args: string[], options: { timeoutMs?: number } = {}): Promise<
    RunResult
  > {
    const child = new Deno.Command(program, {
      args,
      env: this.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, options.timeoutMs ?? 20_000);
    const out = await child.output();
    clearTimeout(timer);
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  }

  /**
   * Starts a program in the session without waiting (its output piped).
   *
   * @param program the program
   * @param args its arguments
   * @returns the child; the caller ends it
   */
  spawn(program: string, args: string[]): Deno.ChildProcess {
    return new Deno.Command(program, {
      args,
      env: this.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }

  /**
   * The daemon's objects, from `pw-dump`.
   *
   * @param type only this kind (`Node`, `Client`, `Link`, ...), or all
   * @returns the objects
   */
  async objects(type?: string): Promise<PwObject[]> {
    const out = await this.run("pw-dump", [], { timeoutMs: 5000 });
    if (out.code !== 0) throw new Error(`pw-dump failed: ${out.stderr.trim()}`);
    const all = JSON.parse(out.stdout) as Record<string, unknown>[];
    return all.map((o) => {
      const info = (o.info ?? {}) as { props?: Record<string, string> };
      return {
        id: o.id as number,
        type: String(o.type).replace(/^PipeWire:Interface:/, ""),
        props: info.props ?? (o.props as Record<string, string> | undefined) ?? {},
        raw: o,
      };
    }).filter((o) => type === undefined || o.type === type);
  }

  /** Stops everything it started and removes its folder. Idempotent. */
  async close(): Promise<void> {
    await this.stopDaemon();
    for (const [program, child] of [...this.#children]) {
      this.#children.delete(program);
      try {
        child.kill("SIGTERM");
      } catch {
        // gone
      }
      await child.status;
    }
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
