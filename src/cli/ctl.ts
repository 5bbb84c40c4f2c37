/**
 * `backscrub ctl`: a client for a running backscrub's JSON API (`status`, `get`, `set`, `save`,
 * `backgrounds`). It finds the running instances through their runtime files,
 * `$XDG_RUNTIME_DIR/backscrub/<pid>.json` (`/tmp/backscrub-<uid>/` when XDG_RUNTIME_DIR is unset),
 * each holding the panel's address and token, and talks to one of them with
 * `Authorization: Bearer TOKEN`.
 *
 * Values are typed as on the command line (`set mirror on`, `set fps camera`, `set tighten
 * 0.2,0.8`); the server checks them, and its one-line refusal is what the user reads. A background
 * that is a file here is uploaded first (the server never opens a client's path).
 *
 * Exit status: 0 done, 1 no instance or it cannot be reached, 2 a wrong command line or a value
 * the server refused.
 *
 * @module
 */

import { basename, join } from "node:path";
import { runtimeDir } from "../control/runtime_file.ts";
import { UsageError } from "./errors.ts";

/** `backscrub ctl --help`. */
export const CTL_HELP = `backscrub ctl: change a running backscrub through its JSON API

Usage:
  backscrub ctl status [--json]              camera, virtual camera, fps, stage ms, CPU...
  backscrub ctl get [KEY] [--json]           the settings in force (all, or one)
  backscrub ctl set KEY VALUE [KEY VALUE...] change settings live (from the next frame on)
  backscrub ctl save                         write the settings to the settings file
  backscrub ctl backgrounds [--json]         the backgrounds and models to choose from

Options:
      --pid N   the backscrub to talk to when several run (default: the newest)
      --json    print the API's JSON as it is
  -h, --help    this text

Settings (the long options of backscrub --help; set takes several pairs at once):
  background    blur, blur:N, off, #RRGGBB, a name from "ctl backgrounds", or a picture,
                GIF or video file here (it is uploaded)
  blur          1-100 (the background becomes blur:N)
  color         #RRGGBB (the background becomes that colour)
  model         a model from "ctl backgrounds" (landscape, selfie)
  mirror, flip  on or off
  privacy       on: send the background alone (the person removed) until off
  fps           N, or camera (the camera's rate)
  threshold     0-1, or off (soft edges)
  upsample      guided, bilateral or bilinear
  smooth        0-0.95
  tighten       LO,HI, or off
  light-wrap    0-1, or auto
  despill       green, blue or off
  frame         auto or off: auto-framing keeps you centred and well sized
  frame-zoom    1-4: the most auto-framing zooms in (default 1.6)

Examples:
  backscrub ctl set blur 30
  backscrub ctl set background beach.jpg mirror on
  backscrub ctl set privacy on
  backscrub ctl set frame auto frame-zoom 2
  backscrub ctl get background
  backscrub ctl --pid 4242 status`;

/** A command line that cannot run: printed with a pointer to `backscrub ctl --help`, exit 2. */
const USAGE = 2;

/** Why ctl stopped: one line for the user and the exit status. */
class CtlError extends Error {
  /**
   * @param message the line printed after `backscrub ctl: `
   * @param status the exit status: 1 (nothing to talk to) or 2 (refused)
   */
  constructor(message: string, readonly status: 1 | 2) {
    super(message);
    this.name = "CtlError";
  }
}

/** The parsed `backscrub ctl` command line. */
export interface CtlArgs {
  /** `status`, `get`, `set`, `save`, `backgrounds`; undefined with no command. */
  command: string | undefined;
  /** The words after the command. */
  operands: string[];
  /** `--pid N`. */
  pid: number | undefined;
  /** `--json`. */
  json: boolean;
  /** `-h` / `--help`. */
  help: boolean;
}

const COMMANDS = new Set(["status", "get", "set", "save", "backgrounds"]);

/**
 * Parses `backscrub ctl`'s arguments. Options may stand anywhere, except that a `set` value is
 * always a value (`set threshold -1` sends "-1" for the server to refuse); `--` ends the options.
 *
 * @example
 * ```ts
 * import { parseCtlArgs } from "./ctl.ts";
 * parseCtlArgs(["--pid", "42", "set", "blur", "30"]);
 * // { command: "set", operands: ["blur", "30"], pid: 42, json: false, help: false }
 * ```
 *
 * @param args the arguments after `ctl`
 * @returns the command, its operands and the options
 * @throws {UsageError} for an unknown option or command, or a wrong number of operands
 */
export function parseCtlArgs(args: readonly string[]): CtlArgs {
  const out: CtlArgs = {
    command: undefined,
    operands: [],
    pid: undefined,
    json: false,
    help: false,
  };
  let optionsEnd = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const setValue = out.command === "set" && out.operands.length % 2 === 1;
    if (optionsEnd || setValue || !arg.startsWith("-") || arg === "-") {
      if (out.command === undefined) out.command = arg;
      else out.operands.push(arg);
    } else if (arg === "--") {
      optionsEnd = true;
    } else if (arg === "--json") {
      out.json = true;
    } else if (arg === "-h" || arg === "-?" || arg === "--help") {
      out.help = true;
    } else if (arg === "--pid" || arg.startsWith("--pid=")) {
      const text = arg === "--pid" ? args[++i] : arg.slice("--pid=".length);
      if (text === undefined) throw new UsageError("--pid needs a process id, e.g. --pid 4242");
      if (!/^[1-9]\d{0,9}$/.test(text)) {
        throw new UsageError(`Invalid --pid "${text}": use the process id of a running backscrub`);
      }
      out.pid = Number(text);
    } else {
      throw new UsageError(`Unknown option "${arg}"`);
    }
  }
  if (out.help) return out;
  const { command, operands } = out;
  if (command === undefined) {
    throw new UsageError("ctl needs a command: status, get, set, save or backgrounds");
  }
  if (!COMMANDS.has(command)) {
    throw new UsageError(
      `Unknown ctl command "${command}": use status, get, set, save or backgrounds`,
    );
  }
  if (command === "set" && (operands.length === 0 || operands.length % 2 === 1)) {
    throw new UsageError(
      operands.length === 0
        ? "set needs a setting and its value, e.g. backscrub ctl set blur 30"
        : `set needs a value for "${operands.at(-1)}", e.g. backscrub ctl set blur 30`,
    );
  }
  if (command === "get" && operands.length > 1) {
    throw new UsageError(`get takes at most one setting, got ${operands.length}`);
  }
  if ((command === "status" || command === "save" || command === "backgrounds") && operands[0]) {
    throw new UsageError(`${command} takes no arguments, got "${operands[0]}"`);
  }
  return out;
}

/** Keys that choose the background: the server answers them under `background`. */
const BACKGROUND_ALIASES = new Set(["blur", "color", "colour"]);
/** Keys whose value is on or off. */
const BOOLEAN_KEYS = new Set(["mirror", "flip", "privacy"]);
/** Keys whose value is a number, and the words that mean "none" (null) for each. */
const NUMBER_KEYS: Readonly<Record<string, readonly string[]>> = {
  fps: ["camera", "off"],
  threshold: ["off", "soft"],
  "light-wrap": ["auto", "default"],
  smooth: [],
  blur: [],
  "frame-zoom": [],
};
const ON = new Set(["on", "true", "yes", "1"]);
const OFF = new Set(["off", "false", "no", "0"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * A `set` value as the API takes it: `on`/`off` as booleans, numbers as numbers, `fps camera`,
 * `threshold off` and `light-wrap auto` as null, `frame on`/`off` as `"auto"`/`"off"`, anything
 * else as the string given (the server checks it and says what is wrong).
 *
 * @example
 * ```ts
 * import { settingValue } from "./ctl.ts";
 * settingValue("mirror", "on"); // true
 * settingValue("fps", "camera"); // null
 * settingValue("tighten", "0.2,0.8"); // "0.2,0.8"
 * ```
 *
 * @param key the setting (a long option name)
 * @param text the value as typed
 * @returns the JSON value to send
 */
export function settingValue(key: string, text: string): unknown {
  const word = text.trim().toLowerCase();
  if (key === "frame") {
    if (word === "auto" || ON.has(word)) return "auto";
    if (OFF.has(word)) return "off";
    return text;
  }
  if (BOOLEAN_KEYS.has(key)) {
    if (ON.has(word)) return true;
    if (OFF.has(word)) return false;
    return text;
  }
  const none = NUMBER_KEYS[key];
  if (none !== undefined) {
    if (NUMBER.test(word)) return Number(word);
    if (none.includes(word)) return null;
    if (key === "blur" && ON.has(word)) return true;
    return text;
  }
  return text;
}

/** Background values that are never files: the server's own words. */
const BACKGROUND_WORD = /^(off|none|blur(:\d+)?|#[0-9a-f]{3}|#[0-9a-f]{6})$/i;

/**
 * The local file a `background` value names, or null when it is not a file here (a library name,
 * `blur:30`, `#3366cc`...): that value is sent as it is.
 *
 * @param value the value as typed
 * @param cwd the folder a relative path starts from
 * @returns the path to upload, or null
 */
export async function localBackgroundFile(value: string, cwd: string): Promise<string | null> {
  if (BACKGROUND_WORD.test(value) || value === "") return null;
  const path = value.startsWith("/") ? value : join(cwd, value);
  try {
    return (await Deno.stat(path)).isFile ? path : null;
  } catch {
    return null;
  }
}

/** Words for a null setting, per key (what `set` takes back). */
const NULL_WORDS: Readonly<Record<string, string>> = {
  fps: "camera",
  threshold: "off",
  "light-wrap": "auto",
  tighten: "off",
  despill: "off",
};

/**
 * One setting's value as `get` prints it, in the words `set` takes.
 *
 * @example
 * ```ts
 * import { formatValue } from "./ctl.ts";
 * formatValue("tighten", [0.25, 0.75]); // "0.25,0.75"
 * formatValue("fps", null); // "camera"
 * ```
 *
 * @param key the setting
 * @param value its JSON value
 * @returns the text
 */
export function formatValue(key: string, value: unknown): string {
  if (value === null || value === undefined) return NULL_WORDS[key] ?? "default";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.map((v) => formatValue(key, v)).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Settings as `key value` lines, the keys aligned.
 *
 * @param settings the API's settings object
 * @param keys the keys to print (default: all, in the server's order)
 * @returns the lines
 */
export function formatSettings(
  settings: Readonly<Record<string, unknown>>,
  keys: readonly string[] = Object.keys(settings),
): string[] {
  const width = Math.max(0, ...keys.map((k) => k.length)) + 2;
  return keys.map((k) => `${k.padEnd(width)}${formatValue(k, settings[k])}`);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}

function num(value: unknown, digits = 1): string | null {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : null;
}

function device(value: unknown): string {
  const d = record(value);
  const name = typeof d.device === "string" ? d.device : "?";
  const about = typeof d.description === "string" ? d.description : "";
  // A description that starts with the device already names it ("null: 320x240 YUYV, ...").
  if (about === "" || about === name) return name;
  return about.startsWith(name) ? about : `${name} (${about})`;
}

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor(s / 60) % 60} min`;
}

/**
 * The status object as a short human-readable summary. Fields the server leaves out are left
 * out here too.
 *
 * @param status the API's status object
 * @param panel the panel's address with its token (the last line)
 * @returns the lines
 */
export function formatStatus(
  status: Readonly<Record<string, unknown>>,
  panel?: string,
): string[] {
  const rows: [string, string][] = [];
  const camera = record(status.camera);
  const paused = status.paused ?? camera.paused;
  rows.push(["camera", device(status.camera)]);
  if (typeof camera.state === "string" && camera.state !== "streaming") {
    // Lost, busy or silent: the virtual camera shows the notice meanwhile.
    rows.push(["camera state", `${camera.state}: ${camera.problem ?? "waiting for it"}`]);
  }
  const virtual = record(status.virtual);
  const readers = virtual.readers;
  rows.push([
    "virtual camera",
    device(status.virtual) +
    (typeof readers === "number" ? `, ${readers} reader${readers === 1 ? "" : "s"}` : ""),
  ]);
  rows.push(["fps", num(status.fps) ?? "-"]);
  rows.push(["model fps", num(status.modelFps) ?? "-"]);
  const stages = Object.entries(record(status.stages)).flatMap(([k, v]) => {
    const ms = num(v);
    return ms === null ? [] : [`${k} ${ms}`];
  });
  rows.push(["stage ms", stages.length ? stages.join(", ") : "-"]);
  const cpu = num(status.cpu, 0);
  rows.push(["cpu", cpu === null ? "-" : `${cpu} % of one core`]);
  rows.push([
    "paused",
    paused === true ? "yes: no program is reading the virtual camera" : "no",
  ]);
  rows.push([
    "privacy",
    status.privacy === true ? "on: the background alone is sent" : "off",
  ]);
  if (typeof status.frame === "string") {
    const zoom = status["frame-zoom"];
    const most = typeof zoom === "number" ? `, zooming in at most ${zoom}x` : "";
    rows.push([
      "framing",
      status.frame === "auto" ? `auto: following the person${most}` : status.frame,
    ]);
  }
  if (typeof status.background === "string") rows.push(["background", status.background]);
  const frames = typeof status.frames === "number" ? `${status.frames}` : null;
  const uptime = typeof status.uptime === "number" ? duration(status.uptime) : null;
  if (frames !== null || uptime !== null) {
    rows.push(["frames", [frames, uptime && `in ${uptime}`].filter(Boolean).join(" ")]);
  }
  if (panel !== undefined) rows.push(["panel", panel]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}`);
}

/**
 * The backgrounds list as lines: name, kind, source (and an upload's label), then the models.
 *
 * @param list the API's `GET /api/backgrounds` answer
 * @returns the lines
 */
export function formatBackgrounds(list: Readonly<Record<string, unknown>>): string[] {
  const entries = Array.isArray(list.backgrounds) ? list.backgrounds.map(record) : [];
  const width = Math.max(0, ...entries.map((e) => String(e.name ?? "").length)) + 2;
  const lines = entries.length === 0 ? ["no backgrounds"] : ["backgrounds:"];
  for (const e of entries) {
    const label = typeof e.label === "string" && e.label !== "" ? ` (${e.label})` : "";
    lines.push(
      `  ${String(e.name ?? "?").padEnd(width)}${String(e.kind ?? "").padEnd(7)}${
        e.source ?? ""
      }${label}`,
    );
  }
  const models = Array.isArray(list.models) ? list.models.map(String) : [];
  lines.push(`models: ${models.length ? models.join(", ") : "-"}`);
  return lines;
}

/** One running backscrub, from its runtime file. */
export interface Instance {
  /** The panel's address, e.g. `http://127.0.0.1:8421/`. */
  url: string;
  /** The API token. */
  token: string;
  /** The process id. */
  pid: number;
  /** When it started (ISO time; the file's time when missing). */
  started: string;
  /** The runtime file. */
  file: string;
}

/** What {@linkcode findInstances} saw in the runtime folder. */
export interface FoundInstances {
  /** The live instances, newest first. */
  live: Instance[];
  /** One line per file refused (wrong mode or owner, not a runtime file). */
  refused: string[];
}

function running(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The running backscrubs of this user, from the runtime files in `dir`. A file whose process is
 * gone is stale: it is deleted and skipped. A file that is not mode 0600 or not this user's is
 * refused: someone else could have written (or read) it.
 *
 * @param dir the runtime folder ({@linkcode runtimeDir})
 * @returns the live instances (newest first) and the refusals
 */
export function findInstances(dir: string): FoundInstances {
  const live: Instance[] = [];
  const refused: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return { live, refused };
  }
  const uid = Deno.uid();
  for (const entry of entries) {
    const m = /^(\d+)\.json$/.exec(entry.name);
    if (!m) continue;
    const file = join(dir, entry.name);
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(file);
    } catch {
      continue; // gone meanwhile: that backscrub just exited
    }
    const pid = Number(m[1]);
    if (!running(pid)) {
      try {
        Deno.removeSync(file);
      } catch { /* another ctl removed it, or the folder is read-only: skipping is enough */ }
      continue;
    }
    const mode = (info.mode ?? 0) & 0o777;
    if (!info.isFile) {
      refused.push(`Refusing "${file}": not a regular file`);
      continue;
    }
    if (uid !== null && info.uid !== uid) {
      refused.push(`Refusing "${file}": owned by user ${info.uid}, not you (${uid})`);
      continue;
    }
    if (mode !== 0o600) {
      refused.push(
        `Refusing "${file}": mode 0${mode.toString(8)}, it must be 0600 (it holds the token)`,
      );
      continue;
    }
    try {
      const data = record(JSON.parse(Deno.readTextFileSync(file)));
      if (typeof data.url !== "string" || typeof data.token !== "string") {
        throw new Error("no url or token");
      }
      const started = typeof data.started === "string"
        ? data.started
        : (info.mtime ?? new Date(0)).toISOString();
      live.push({ url: data.url, token: data.token, pid, started, file });
    } catch {
      // Half-written (the instance is starting) or not ours: nothing to talk to.
      refused.push(`Refusing "${file}": not a backscrub runtime file`);
    }
  }
  live.sort((a, b) => Date.parse(b.started) - Date.parse(a.started) || b.pid - a.pid);
  return { live, refused };
}

/**
 * The instance to talk to: the one with `pid`, the only one, or the newest of several (with a
 * note for stderr).
 *
 * @param found what {@linkcode findInstances} saw
 * @param pid `--pid`
 * @returns the instance and a note, or throws
 */
function chooseInstance(
  found: FoundInstances,
  pid: number | undefined,
): { instance: Instance; note: string | null } {
  const { live, refused } = found;
  const pids = live.map((i) => i.pid).join(", ");
  if (pid !== undefined) {
    const instance = live.find((i) => i.pid === pid);
    if (instance) return { instance, note: null };
    const refusal = refused.find((r) => r.includes(`/${pid}.json"`));
    if (refusal) throw new CtlError(refusal, 1);
    throw new CtlError(
      `no backscrub with pid ${pid} is running` +
        (live.length ? ` (running: pid ${pids})` : " (start it with: backscrub)"),
      1,
    );
  }
  const newest = live[0];
  if (newest === undefined) {
    throw new CtlError(
      refused.length ? refused.join("; ") : "no backscrub is running (start it with: backscrub)",
      1,
    );
  }
  const note = live.length > 1
    ? `${live.length} backscrubs are running (pid ${pids}): using the newest, pid ${newest.pid} ` +
      "(choose one with --pid)"
    : null;
  return { instance: newest, note };
}

/** How long one request may take (an upload: {@linkcode UPLOAD_TIMEOUT_MS}). */
const TIMEOUT_MS = 15_000;
/** A new background may be a video to open before the answer. */
const PATCH_TIMEOUT_MS = 60_000;
const UPLOAD_TIMEOUT_MS = 120_000;

/** HTTP statuses that mean "this value or file is wrong" (exit 2), not "cannot talk" (exit 1). */
const REFUSED = new Set([400, 413, 415, 422]);

/** A refusal or failure from the server, as one line: its own `error` line when it sent one. */
function serverError(instance: Instance, what: string, status: number, body: unknown): CtlError {
  const error = record(body).error;
  const line = typeof error === "string" && error !== "" ? error.split("\n")[0]! : null;
  if (status === 401) {
    return new CtlError(
      `backscrub (pid ${instance.pid}) refused the token in "${instance.file}"` +
        (line ? `: ${line}` : ""),
      1,
    );
  }
  const exit = REFUSED.has(status) ? USAGE : 1;
  if (line !== null) return new CtlError(line, exit);
  return new CtlError(
    `backscrub (pid ${instance.pid}) answered HTTP ${status} to ${what}` +
      (status === 404 ? " (is it an older version without the API?)" : ""),
    exit,
  );
}

/**
 * Sends one request to the instance and returns the parsed JSON answer.
 *
 * @throws {CtlError} when it cannot be reached, times out, or answers with an error
 */
async function request(
  instance: Instance,
  method: string,
  path: string,
  options: { body?: BodyInit; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<unknown> {
  const what = `${method} ${path}`;
  const url = new URL(path, instance.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${instance.token}`, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS),
    });
  } catch (e) {
    throw unreachable(instance, e);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (e) {
    throw unreachable(instance, e);
  }
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) throw serverError(instance, what, response.status, body);
  if (body === null) {
    throw new CtlError(
      `backscrub (pid ${instance.pid}) answered ${what} with something that is not JSON`,
      1,
    );
  }
  return body;
}

function unreachable(instance: Instance, e: unknown): CtlError {
  const timeout = e instanceof DOMException && e.name === "TimeoutError";
  // Deno's fetch says "fetch failed"; the reason (refused, reset) is in the cause.
  const messages: string[] = [];
  for (let c: unknown = e; c !== undefined && messages.length < 4; c = (c as Error).cause) {
    messages.push(c instanceof Error ? c.message : String(c));
    if (!(c instanceof Error)) break;
  }
  const message = messages.at(-1) ?? "";
  const cause = timeout
    ? "no answer in time"
    : /refused/i.test(messages.join(" "))
    ? "connection refused"
    : /reset|closed|broken pipe|incomplete/i.test(messages.join(" "))
    ? "the connection was closed"
    : message.split("\n")[0]!;
  return new CtlError(
    `cannot reach backscrub (pid ${instance.pid}) at ${instance.url}: ${cause} ` +
      "(it may have just exited)",
    1,
  );
}

/** The address that opens the panel (the banner's line): the page keeps the token. */
function panelUrl(instance: Instance): string {
  const url = new URL(instance.url);
  url.searchParams.set("token", instance.token);
  return url.href;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Options of {@linkcode ctlCommand}. */
export interface CtlOptions {
  /** The runtime folder (default: {@linkcode runtimeDir}). */
  runtimeDir?: string;
  /** The folder relative background files start from (default: the current one). */
  cwd?: string;
  /** Prints one line of the answer (default: stdout). */
  out?: (line: string) => void;
  /** Prints one line about the run (default: stderr). */
  err?: (line: string) => void;
}

/**
 * Runs `backscrub ctl`: every mistake is one line on stderr, never a stack trace.
 *
 * @example
 * ```ts
 * import { ctlCommand } from "./ctl.ts";
 * Deno.exitCode = await ctlCommand(["set", "blur", "30"]);
 * ```
 *
 * @param args the arguments after `ctl`
 * @param options where to look and print
 * @returns the exit status: 0 done, 1 nothing to talk to, 2 a wrong command or a refused value
 */
export async function ctlCommand(
  args: readonly string[],
  options: CtlOptions = {},
): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  const err = options.err ?? ((line: string) => console.error(line));
  try {
    const parsed = parseCtlArgs(args);
    if (parsed.help) {
      out(CTL_HELP);
      return 0;
    }
    const found = findInstances(options.runtimeDir ?? runtimeDir());
    const { instance, note } = chooseInstance(found, parsed.pid);
    if (note !== null) err(`backscrub ctl: ${note}`);
    const print = (lines: string[]): void => lines.forEach((line) => out(line));
    const { command, operands } = parsed;
    switch (command) {
      case "status": {
        const status = await request(instance, "GET", "/api/status");
        print(parsed.json ? [json(status)] : formatStatus(record(status), panelUrl(instance)));
        return 0;
      }
      case "get": {
        const settings = record(await request(instance, "GET", "/api/settings"));
        const asked = operands[0];
        if (asked === undefined) {
          print(parsed.json ? [json(settings)] : formatSettings(settings));
          return 0;
        }
        const key = BACKGROUND_ALIASES.has(asked) ? "background" : asked;
        if (!(key in settings)) {
          throw new UsageError(
            `Unknown setting "${asked}": use ${Object.keys(settings).join(", ")}`,
          );
        }
        print(parsed.json ? [json(settings[key])] : formatSettings(settings, [key]));
        return 0;
      }
      case "set":
        return await setCommand(instance, operands, {
          json: parsed.json,
          cwd: options.cwd ?? Deno.cwd(),
          out,
          err,
        });
      case "save": {
        const saved = record(await request(instance, "POST", "/api/settings/save"));
        print(
          parsed.json ? [json(saved)] : [`settings saved to ${String(saved.path ?? "?")}`],
        );
        return 0;
      }
      case "backgrounds": {
        const list = await request(instance, "GET", "/api/backgrounds");
        print(parsed.json ? [json(list)] : formatBackgrounds(record(list)));
        return 0;
      }
    }
    return USAGE; // unreachable: parseCtlArgs checked the command
  } catch (e) {
    if (e instanceof UsageError) {
      err(`backscrub ctl: ${e.message} (see backscrub ctl --help)`);
      return USAGE;
    }
    if (e instanceof CtlError) {
      err(`backscrub ctl: ${e.message}`);
      return e.status;
    }
    throw e;
  }
}

/** `set KEY VALUE...`: uploads local background files, then one PATCH for all the pairs. */
async function setCommand(
  instance: Instance,
  operands: readonly string[],
  options: {
    json: boolean;
    cwd: string;
    out: (line: string) => void;
    err: (line: string) => void;
  },
): Promise<number> {
  const patch: Record<string, unknown> = {};
  const shown: string[] = [];
  for (let i = 0; i < operands.length; i += 2) {
    const key = operands[i]!;
    const text = operands[i + 1]!;
    let value = settingValue(key, text);
    if (key === "background") {
      const file = await localBackgroundFile(text, options.cwd);
      if (file !== null) {
        value = await upload(instance, file, options.json ? options.err : options.out);
      }
    }
    patch[key] = value;
    const answerKey = BACKGROUND_ALIASES.has(key) ? "background" : key;
    if (!shown.includes(answerKey)) shown.push(answerKey);
  }
  const settings = record(
    await request(instance, "PATCH", "/api/settings", {
      body: JSON.stringify(patch),
      headers: { "content-type": "application/json" },
      timeoutMs: PATCH_TIMEOUT_MS,
    }),
  );
  if (options.json) {
    options.out(json(settings));
  } else {
    const keys = shown.filter((k) => k in settings);
    for (const line of formatSettings(settings, keys.length ? keys : undefined)) {
      options.out(line);
    }
  }
  return 0;
}

/** Uploads a picture or video and returns the name the server gave it. */
async function upload(
  instance: Instance,
  file: string,
  out: (line: string) => void,
): Promise<string> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.PermissionDenied ? "permission denied" : String(e);
    throw new CtlError(`Cannot read "${file}": ${why}`, USAGE);
  }
  // A header value must be ASCII: the name travels percent-encoded (the server decodes it and
  // keeps it as a label only).
  const label = basename(file);
  const header = encodeURIComponent(label);
  const entry = record(
    await request(instance, "POST", "/api/backgrounds", {
      body: bytes,
      headers: { "content-type": "application/octet-stream", "x-filename": header },
      timeoutMs: UPLOAD_TIMEOUT_MS,
    }),
  );
  if (typeof entry.name !== "string") {
    throw new CtlError(`backscrub (pid ${instance.pid}) gave the upload no name`, 1);
  }
  out(`uploaded ${label} as ${entry.name}`);
  return entry.name;
}
