/**
 * The settings file of the virtual camera: `$XDG_CONFIG_HOME/backscrub/config.json` (default
 * `~/.config/backscrub/config.json`), or the file given with `--config PATH`; `--no-config` skips
 * it. Its keys are the long command-line options, for example
 *
 * ```json
 * { "capture": "/dev/video0", "background": "studio.png", "mirror": true, "fps": 30 }
 * ```
 *
 * The file is turned into command-line arguments placed before the user's own, so that flags
 * given on the command line override it, and checked by the same parser as the flags. Every
 * mistake is one line naming the file and the key.
 *
 * It is part of the command line (it speaks in flags: `--config`, `backscrub --help`), so it
 * lives in `src/cli` beside the parser it feeds.
 *
 * @module
 */

import { dirname, join } from "node:path";

/** A settings file that cannot be read or has a wrong key or value (exit status 2). */
export class ConfigError extends Error {
  /** @param message what is wrong, naming the file and the key */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * The JSON type each known key takes. Other keys are passed on as `--key=value` and checked.
 * `frame` takes `"auto"`/`"off"` like `--frame`, and `true`/`false` like the control API.
 */
export const CONFIG_KEYS: Readonly<
  Record<string, "string" | "boolean" | "number" | "blur" | "frame">
> = {
  capture: "string",
  virtual: "string",
  background: "string",
  blur: "blur",
  color: "string",
  model: "string",
  mirror: "boolean",
  flip: "boolean",
  cg: "string",
  vg: "string",
  format: "string",
  "out-format": "string",
  fps: "number",
  threads: "number",
  threshold: "number",
  upsample: "string",
  smooth: "number",
  tighten: "string",
  "light-wrap": "number",
  despill: "string",
  frame: "frame",
  "frame-zoom": "number",
  frames: "number",
  debug: "boolean",
  progress: "boolean",
  "ort-lib": "string",
  http: "string",
  loop: "boolean",
};

/** Keys that choose the background: the command line's choice replaces all of them. */
const BACKGROUND_KEYS = new Set(["background", "blur", "color", "colour", "p"]);

/** Where the settings file is read from when `--config` is not given. */
export function defaultConfigPath(): string | null {
  const env = (k: string): string | undefined => {
    try {
      return Deno.env.get(k) || undefined;
    } catch {
      return undefined;
    }
  };
  const configHome = env("XDG_CONFIG_HOME") ?? (env("HOME") ? join(env("HOME")!, ".config") : null);
  return configHome === null ? null : join(configHome, "backscrub", "config.json");
}

/** The options of the live parser, to check each setting with: `parseLiveOptions`. */
export type ArgsChecker = (args: readonly string[]) => unknown;

function describe(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * Turns one setting into command-line arguments.
 *
 * @param key the long option name
 * @param value its JSON value
 * @param path the file (for messages)
 * @returns the arguments (`[]` for `false`)
 * @throws {ConfigError} when the value has the wrong JSON type
 */
function settingArgs(key: string, value: unknown, path: string): string[] {
  const type = CONFIG_KEYS[key];
  const wrong = (want: string): ConfigError =>
    new ConfigError(
      `Invalid "${key}" in config file "${path}": use ${want}, got ${describe(value)}`,
    );
  if (type === "boolean") {
    if (typeof value !== "boolean") throw wrong("true or false");
    return value ? [`--${key}`] : [];
  }
  if (type === "number") {
    if (typeof value !== "number") throw wrong("a number");
    return [`--${key}=${value}`];
  }
  if (type === "string") {
    if (typeof value !== "string") throw wrong("a string");
    return [`--${key}=${value}`];
  }
  if (type === "blur") {
    if (value === true) return ["--blur"];
    if (value === false) return [];
    if (typeof value !== "number") throw wrong("true or a strength from 1 to 100");
    return ["--blur", String(value)];
  }
  if (type === "frame") {
    if (value === true) return [`--${key}=auto`];
    if (value === false) return [];
    if (typeof value !== "string") throw wrong('"auto" or "off" (or true or false)');
    return [`--${key}=${value}`];
  }
  // A key this file does not know: the parser decides (new long options work at once).
  if (typeof value === "boolean") return value ? [`--${key}`] : [];
  if (typeof value === "string" || typeof value === "number") return [`--${key}=${value}`];
  throw wrong("a string, number or boolean");
}

/**
 * Rewrites the parser's message about one setting so that it names the file and the key.
 * `Invalid --fps "1000": use a whole number from 1 to 240` becomes
 * `Invalid "fps" in config file "…": use a whole number from 1 to 240, got 1000`.
 */
function settingError(key: string, value: unknown, path: string, message: string): ConfigError {
  if (/^Unknown option/i.test(message)) {
    return new ConfigError(
      `Unknown key "${key}" in config file "${path}": use the long option names of ` +
        `backscrub --help (${Object.keys(CONFIG_KEYS).join(", ")})`,
    );
  }
  const m = /^Invalid [^:]*: (.*)$/.exec(message);
  return new ConfigError(
    m
      ? `Invalid "${key}" in config file "${path}": ${m[1]}, got ${describe(value)}`
      : `Invalid "${key}" in config file "${path}": ${message}`,
  );
}

/**
 * Checks a parsed settings object and turns it into command-line arguments.
 *
 * @example
 * ```ts
 * import { configArgs } from "./config.ts";
 * configArgs({ capture: "video2", mirror: true, fps: 30 }, "config.json", () => {});
 * // ["--capture=video2", "--mirror", "--fps=30"]
 * ```
 *
 * @param config the parsed JSON
 * @param path the file it came from (for messages)
 * @param check the live command's parser: each setting, then all of them, must pass it
 * @returns the arguments, in the file's order
 * @throws {ConfigError} naming the file and the key
 */
export function configArgs(config: unknown, path: string, check: ArgsChecker): string[] {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(
      `Invalid config file "${path}": it must hold one JSON object, e.g. {"background": "blur"}`,
    );
  }
  const args: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith("//") || key === "$schema") continue; // comments
    const own = settingArgs(key, value, path);
    try {
      check(own);
    } catch (e) {
      throw settingError(key, value, path, (e as Error).message);
    }
    args.push(...own);
  }
  try {
    check(args);
  } catch (e) {
    throw new ConfigError(`Invalid config file "${path}": ${(e as Error).message}`);
  }
  return args;
}

/**
 * Reads and checks a settings file.
 *
 * @param path the file
 * @param check the live command's parser
 * @returns the arguments it stands for
 * @throws {ConfigError} when it cannot be read, is not JSON, or has a wrong key or value
 */
export function readConfig(path: string, check: ArgsChecker): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a folder"
      : (e as Error).message;
    throw new ConfigError(`Cannot read config file "${path}": ${reason}`);
  }
  let config: unknown;
  try {
    // Editors on some systems start a UTF-8 file with a byte-order mark; JSON.parse refuses it.
    config = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new ConfigError(`Cannot read config file "${path}": ${(e as Error).message}`);
  }
  return configArgs(config, path, check);
}

/** The result of {@linkcode applyConfig}. */
export interface AppliedConfig {
  /** The arguments for the live parser: the file's settings, then the user's own. */
  args: string[];
  /** The file read, or null when none was. */
  path: string | null;
  /** How many settings the file gave. */
  settings: number;
}

/**
 * Whether the user's arguments give one of the settings `keys` themselves, by its long name or
 * one of its `short` letters.
 */
function givesSetting(args: readonly string[], keys: ReadonlySet<string>, short: string): boolean {
  for (const a of args) {
    if (a === "--") break;
    if (a.startsWith("--")) {
      if (keys.has(a.slice(2).split("=")[0]!)) return true;
    } else if (/^-[A-Za-z?]/.test(a)) {
      // A group of short flags: booleans (-H -V -d -s) may come before the one taking a value.
      for (const c of a.slice(1)) {
        if (short.includes(c)) return true;
        if (!"HVds".includes(c)) break;
      }
    }
  }
  return false;
}

/** Whether the user's arguments choose a background themselves (`-b`, `--blur`, `--color`, `-p`). */
function choosesBackground(args: readonly string[]): boolean {
  return givesSetting(args, BACKGROUND_KEYS, "bp");
}

/** Keys that choose the virtual cameras: `-v` may be given twice, so the file's must not add up. */
const VIRTUAL_KEYS = new Set(["virtual"]);

/**
 * Takes `--config PATH` / `--config=PATH` and `--no-config` out of the user's arguments, reads the
 * settings file, and puts its settings before the user's arguments (so flags override it). When
 * the user chooses a background or a virtual camera (`-v`, which may be given twice) on the
 * command line, the file's is left out.
 *
 * @example
 * ```ts ignore
 * import { parseLiveOptions } from "./options.ts";
 * const { args } = applyConfig(Deno.args, parseLiveOptions);
 * const options = parseLiveOptions(args);
 * ```
 *
 * @param userArgs the command line after the command
 * @param check the live command's parser
 * @param defaultPath the file read without `--config` (default {@linkcode defaultConfigPath});
 *   it may be missing, a file named with `--config` may not
 * @returns the arguments for the parser, and the file used
 * @throws {ConfigError} for a bad file or a `--config` without a path
 */
export function applyConfig(
  userArgs: readonly string[],
  check: ArgsChecker,
  defaultPath: string | null = defaultConfigPath(),
): AppliedConfig {
  const rest: string[] = [];
  let explicit: string | null = null;
  let skip = false;
  for (let i = 0; i < userArgs.length; i++) {
    const a = userArgs[i]!;
    if (a === "--") {
      rest.push(...userArgs.slice(i));
      break;
    }
    if (a === "--no-config") {
      skip = true;
    } else if (a === "--config") {
      const next = userArgs[i + 1];
      if (next === undefined || next.startsWith("-")) {
        throw new ConfigError("Option --config needs a file: --config ~/my-backscrub.json");
      }
      explicit = next;
      i++;
    } else if (a.startsWith("--config=")) {
      explicit = a.slice("--config=".length);
      if (explicit === "") {
        throw new ConfigError("Option --config needs a file: --config ~/my-backscrub.json");
      }
    } else {
      rest.push(a);
    }
  }
  if (skip) return { args: rest, path: null, settings: 0 };
  let path = explicit;
  if (path === null && defaultPath !== null) {
    try {
      Deno.statSync(defaultPath);
      path = defaultPath;
    } catch {
      // No settings file: the defaults.
    }
  }
  if (path === null) return { args: rest, path: null, settings: 0 };
  let settings = readConfig(path, check);
  const count = settings.filter((a) => a.startsWith("--")).length;
  if (choosesBackground(rest)) {
    const kept: string[] = [];
    for (let i = 0; i < settings.length; i++) {
      const name = settings[i]!.slice(2).split("=")[0]!;
      if (!BACKGROUND_KEYS.has(name)) kept.push(settings[i]!);
      else if (settings[i] === "--blur" && /^\d+$/.test(settings[i + 1] ?? "")) i++;
    }
    settings = kept;
  }
  if (givesSetting(rest, VIRTUAL_KEYS, "v")) {
    settings = settings.filter((a) => !VIRTUAL_KEYS.has(a.slice(2).split("=")[0]!));
  }
  return { args: [...settings, ...rest], path, settings: count };
}

/** The settings "Save as default" writes, as settings-file keys (the control API's names). */
export interface SavedSettings {
  background: string;
  model: string;
  mirror: boolean;
  flip: boolean;
  threshold: number | null;
  upsample: string;
  smooth: number;
  tighten: readonly [number, number] | null;
  "light-wrap": number | null;
  despill: string | null;
  fps: number | null;
  frame: "off" | "auto";
  "frame-zoom": number;
}

/**
 * Writes settings into the settings file ("Save as default"): the file's other keys, its `//`
 * comment keys and their order stay; the background replaces every key that chose one (`blur`,
 * `color`, ...); a setting at its "none" value (no threshold, the camera's frame rate, the default
 * light wrap) removes its key. The file is replaced atomically (mode 0600 when new).
 *
 * @param path the settings file (made with its folder when missing)
 * @param settings the settings to keep
 * @returns the keys written
 * @throws {ConfigError} when the file holds something other than a JSON object, or cannot be
 *   written
 */
export function saveConfig(path: string, settings: SavedSettings): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  let text: string | null = null;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`Cannot save to "${path}": ${(e as Error).message}`);
    }
  }
  if (text !== null && text.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (e) {
      throw new ConfigError(
        `Cannot save to "${path}": it is not valid JSON (${
          (e as Error).message
        }); fix or remove it`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`Cannot save to "${path}": it must hold one JSON object`);
    }
    config = parsed as Record<string, unknown>;
  }
  const written: Record<string, unknown> = {
    background: settings.background,
    model: settings.model,
    mirror: settings.mirror,
    flip: settings.flip,
    threshold: settings.threshold,
    upsample: settings.upsample,
    smooth: settings.smooth,
    tighten: settings.tighten === null ? "off" : settings.tighten.join(","),
    "light-wrap": settings["light-wrap"],
    despill: settings.despill ?? "off",
    fps: settings.fps,
    frame: settings.frame,
    "frame-zoom": settings["frame-zoom"],
  };
  for (const key of BACKGROUND_KEYS) delete config[key];
  for (const [key, value] of Object.entries(written)) {
    if (value === null) delete config[key];
    else config[key] = value;
  }
  const saved = Object.fromEntries(Object.entries(written).filter(([, v]) => v !== null));
  const out = JSON.stringify(config, null, 2) + "\n";
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
    let mode = 0o600;
    try {
      mode = (Deno.statSync(path).mode ?? 0o600) & 0o777;
    } catch {
      // a new file
    }
    Deno.writeTextFileSync(tmp, out, { mode });
    Deno.chmodSync(tmp, mode);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // not made
    }
    throw new ConfigError(`Cannot save to "${path}": ${(e as Error).message}`);
  }
  return saved;
}
