/**
 * What `backscrub devices` and `backscrub doctor` say about the PipeWire camera: whether
 * PipeWire runs (and its session manager, which links programs to the camera), the desktop's
 * camera portal (how sandboxed programs and browsers reach PipeWire cameras), and what each
 * browser found here needs — Firefox's `media.webrtc.camera.allow-pipewire`, Chromium's and
 * Chrome's `chrome://flags/#enable-webrtc-pipewire-camera` — with the exact words to change them.
 *
 * The facts are read once ({@linkcode readPipewireFacts}); the lines are pure functions of them.
 *
 * @module
 */

import { join } from "node:path";
import { probePipewire } from "../../ffi/pipewire/mod.ts";
import { type Distro, explain, installCommand, PIPEWIRE_START } from "./explain.ts";
import type { Check } from "./doctor.ts";

/** Firefox's preference for PipeWire cameras. */
export const FIREFOX_PREF = "media.webrtc.camera.allow-pipewire";
/** Chromium's flag for PipeWire cameras. */
export const CHROMIUM_FLAG = "enable-webrtc-pipewire-camera";
/** How to turn Firefox's preference on. */
export const FIREFOX_FIX = `open about:config, set ${FIREFOX_PREF} to true, restart Firefox`;
/** How to turn Chromium's (or Chrome's) flag on. */
export const CHROMIUM_FIX = (browser: string): string =>
  `open chrome://flags/#${CHROMIUM_FLAG}, set "PipeWire Camera support" to Enabled, relaunch ${browser}`;

/** A browser profile found, and whether it reads PipeWire cameras. */
export interface BrowserFacts {
  /** `Firefox`, `Chromium`, `Google Chrome`, ... */
  name: string;
  /** The profile folder (Firefox) or `Local State` file (Chromium family). */
  where: string;
  /** `true` on, `false` off, `null` not set (the browser's default: off, unless a distribution turned it on). */
  enabled: boolean | null;
}

/** Everything the report says, read from the system. */
export interface PipewireFacts {
  /** libpipewire's version, or null when it cannot be loaded. */
  library: string | null;
  /** Why libpipewire cannot be loaded (with the fix), when it cannot. */
  libraryError: string | null;
  /** Whether a daemon answers. */
  running: boolean;
  /** Its socket. */
  socket: string | null;
  /** Why it does not answer. */
  reason: string | null;
  /** Whether a session manager (WirePlumber, pipewire-media-session) runs for this user. */
  sessionManager: string | null;
  /** xdg-desktop-portal's program, or null when it is not installed. */
  portal: string | null;
  /** The portal backends that can ask for camera access (`gtk`, `gnome`, `kde`, ...). */
  accessBackends: string[];
  /** Browser profiles found. */
  browsers: BrowserFacts[];
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function subfolders(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].filter((e) => e.isDirectory).map((e) => join(path, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** The process names of a session manager running as this user, from `/proc`. */
function findSessionManager(procRoot: string): string | null {
  let uid: number | null = null;
  try {
    uid = Deno.uid();
  } catch {
    // not allowed
  }
  try {
    for (const e of Deno.readDirSync(procRoot)) {
      if (!/^\d+$/.test(e.name)) continue;
      const comm = readText(join(procRoot, e.name, "comm"))?.trim();
      if (comm !== "wireplumber" && comm !== "pipewire-media-session") continue;
      if (uid !== null) {
        const status = readText(join(procRoot, e.name, "status")) ?? "";
        const owner = /^Uid:\s+(\d+)/m.exec(status)?.[1];
        if (owner !== undefined && Number(owner) !== uid) continue;
      }
      return comm;
    }
  } catch {
    // no /proc
  }
  return null;
}

/**
 * Firefox's setting in one profile: `user.js` wins over `prefs.js`.
 *
 * @param prefs the text of `prefs.js` (or null)
 * @param user the text of `user.js` (or null)
 * @returns `true`, `false`, or `null` when neither sets it
 */
export function firefoxPref(prefs: string | null, user: string | null): boolean | null {
  const find = (text: string | null): boolean | null => {
    if (text === null) return null;
    const re = new RegExp(
      `user_pref\\(\\s*"${FIREFOX_PREF.replaceAll(".", "\\.")}"\\s*,\\s*(true|false)\\s*\\)`,
      "g",
    );
    let last: boolean | null = null;
    for (const m of text.matchAll(re)) last = m[1] === "true";
    return last;
  };
  return find(user) ?? find(prefs);
}

/**
 * Chromium's flag in its `Local State` file.
 *
 * @param localState the file's text
 * @returns `true` (enabled), `false` (disabled), or `null` (default, or the file is unreadable)
 */
export function chromiumFlag(localState: string | null): boolean | null {
  if (localState === null) return null;
  try {
    const experiments = (JSON.parse(localState) as {
      browser?: { enabled_labs_experiments?: unknown };
    }).browser?.enabled_labs_experiments;
    if (!Array.isArray(experiments)) return null;
    if (experiments.includes(`${CHROMIUM_FLAG}@1`)) return true;
    if (experiments.includes(`${CHROMIUM_FLAG}@2`)) return false;
    return null;
  } catch {
    return null;
  }
}

/** Where each browser keeps its profiles, under `HOME` (native, Flatpak and snap copies). */
const FIREFOX_ROOTS = [
  ".mozilla/firefox",
  ".var/app/org.mozilla.firefox/.mozilla/firefox",
  "snap/firefox/common/.mozilla/firefox",
];
const CHROMIUM_STATES: readonly [string, string][] = [
  ["Chromium", ".config/chromium/Local State"],
  ["Chromium", ".var/app/org.chromium.Chromium/config/chromium/Local State"],
  ["Chromium", "snap/chromium/common/chromium/Local State"],
  ["Google Chrome", ".config/google-chrome/Local State"],
  ["Google Chrome", ".var/app/com.google.Chrome/config/google-chrome/Local State"],
  ["Brave", ".config/BraveSoftware/Brave-Browser/Local State"],
  ["Microsoft Edge", ".config/microsoft-edge/Local State"],
];

/**
 * The browser profiles under `home` and their PipeWire camera setting.
 *
 * @param home the home folder
 * @returns one entry per Firefox profile and per Chromium-family browser
 */
export function findBrowsers(home: string): BrowserFacts[] {
  const found: BrowserFacts[] = [];
  for (const root of FIREFOX_ROOTS) {
    for (const profile of subfolders(join(home, root))) {
      const prefs = readText(join(profile, "prefs.js"));
      const user = readText(join(profile, "user.js"));
      if (prefs === null && user === null) continue;
      found.push({ name: "Firefox", where: profile, enabled: firefoxPref(prefs, user) });
    }
  }
  for (const [name, file] of CHROMIUM_STATES) {
    const path = join(home, file);
    if (!isFile(path)) continue;
    found.push({ name, where: path, enabled: chromiumFlag(readText(path)) });
  }
  return found;
}

/** Portal backends whose `.portal` file lists the Access interface (the camera's dialog). */
function accessBackends(dataDirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dataDirs) {
    const folder = join(dir, "xdg-desktop-portal", "portals");
    try {
      for (const e of Deno.readDirSync(folder)) {
        if (!e.name.endsWith(".portal")) continue;
        if (/org\.freedesktop\.impl\.portal\.Access/.test(readText(join(folder, e.name)) ?? "")) {
          names.add(e.name.slice(0, -".portal".length));
        }
      }
    } catch {
      // no such folder
    }
  }
  return [...names].sort();
}

/** Options of {@linkcode readPipewireFacts} (tests point them elsewhere). */
export interface PipewireFactsOptions {
  /** The home folder (default `$HOME`). */
  home?: string | null;
  /** `/proc`. */
  procRoot?: string;
  /** Where xdg-desktop-portal may be installed. */
  portalPaths?: readonly string[];
  /** The XDG data folders (default `$XDG_DATA_DIRS`, else `/usr/local/share:/usr/share`). */
  dataDirs?: readonly string[];
}

/**
 * Reads the facts: libpipewire and the daemon (connecting for a moment), the session manager,
 * the portal, the browsers' settings.
 *
 * @param options where to look
 * @returns the facts
 */
export function readPipewireFacts(options: PipewireFactsOptions = {}): PipewireFacts {
  const env = (k: string): string | undefined => {
    try {
      return Deno.env.get(k) || undefined;
    } catch {
      return undefined;
    }
  };
  let library: string | null = null;
  let libraryError: string | null = null;
  let running = false;
  let socket: string | null = null;
  let reason: string | null = null;
  try {
    const status = probePipewire();
    library = status.version;
    running = status.running;
    socket = status.socket;
    reason = status.reason;
  } catch (e) {
    libraryError = explain(e);
  }
  const home = options.home === undefined ? env("HOME") ?? null : options.home;
  const dataDirs = options.dataDirs ??
    (env("XDG_DATA_DIRS") ?? "/usr/local/share:/usr/share").split(":").filter((d) => d !== "");
  const portalPaths = options.portalPaths ??
    ["/usr/libexec/xdg-desktop-portal", "/usr/lib/xdg-desktop-portal"];
  return {
    library,
    libraryError,
    running,
    socket,
    reason,
    sessionManager: findSessionManager(options.procRoot ?? "/proc"),
    portal: portalPaths.find(isFile) ?? null,
    accessBackends: accessBackends(dataDirs),
    browsers: home === null ? [] : findBrowsers(home),
  };
}

function browserCheck(b: BrowserFacts): Check {
  const chromium = b.name !== "Firefox";
  const setting = chromium ? `chrome://flags/#${CHROMIUM_FLAG}` : FIREFOX_PREF;
  const where = chromium ? "" : ` (profile ${b.where.slice(b.where.lastIndexOf("/") + 1)})`;
  if (b.enabled === true) {
    return { status: "ok", text: `${b.name}${where} reads PipeWire cameras (${setting} is on)` };
  }
  return {
    status: "warn",
    text: `${b.name}${where} does not read PipeWire cameras: ${setting} is ${
      b.enabled === false ? "off" : "not set (off by default)"
    }`,
    fix: chromium ? CHROMIUM_FIX(b.name) : FIREFOX_FIX,
  };
}

/**
 * The doctor's lines about the PipeWire camera.
 *
 * @param facts from {@linkcode readPipewireFacts}
 * @param options `needed`: the PipeWire camera is what live use would publish (its problems
 *   fail); `distro`: for package names
 * @returns the checks, in order
 */
export function pipewireChecks(
  facts: PipewireFacts,
  options: { needed: boolean; distro: Distro },
): Check[] {
  // Not asked for: what is missing is said, but it is no warning (v4l2loopback is used).
  const bad = options.needed ? "fail" : "ok";
  const what = options.needed
    ? "the PipeWire camera cannot be published"
    : "the PipeWire camera (-v pipewire) is unavailable";
  if (facts.library === null) {
    return [{
      status: bad,
      text: `${what}: ${facts.libraryError ?? "libpipewire cannot be loaded"}`,
      fix: installCommand(options.distro, "pipewire"),
    }];
  }
  if (!facts.running) {
    return [{
      status: bad,
      text: `${what}: PipeWire is not running (${facts.reason ?? "no daemon answers"})`,
      fix: `start it: ${PIPEWIRE_START}; or use a v4l2loopback device with -v /dev/videoN`,
    }];
  }
  const warn = options.needed ? "fail" : "warn";
  const checks: Check[] = [{
    status: "ok",
    text:
      `PipeWire running (libpipewire ${facts.library}, ${facts.socket}): backscrub can publish a PipeWire camera (-v pipewire)`,
  }];
  checks.push(
    facts.sessionManager !== null
      ? { status: "ok", text: `PipeWire session manager: ${facts.sessionManager}` }
      : {
        status: warn,
        text: "no PipeWire session manager runs (wireplumber): programs cannot link to the camera",
        fix:
          "start it: systemctl --user start wireplumber (install the wireplumber package if missing)",
      },
  );
  if (facts.portal === null) {
    checks.push({
      status: "warn",
      text:
        "no camera portal (xdg-desktop-portal): browsers and sandboxed apps cannot reach PipeWire cameras",
      fix: `install xdg-desktop-portal and your desktop's backend (${
        options.distro === "debian"
          ? "sudo apt install xdg-desktop-portal xdg-desktop-portal-gtk"
          : "e.g. xdg-desktop-portal-gtk"
      })`,
    });
  } else if (facts.accessBackends.length === 0) {
    checks.push({
      status: "warn",
      text: `camera portal ${facts.portal}, but no backend asks for camera access`,
      fix: "install your desktop's portal backend (xdg-desktop-portal-gnome, -kde or -gtk)",
    });
  } else {
    checks.push({
      status: "ok",
      text: `camera portal: ${facts.portal} (access dialogs: ${facts.accessBackends.join(", ")})`,
    });
  }
  checks.push(...facts.browsers.map(browserCheck));
  return checks;
}

/**
 * The lines of `backscrub devices` about PipeWire.
 *
 * @param facts from {@linkcode readPipewireFacts}
 * @returns the lines (a heading and its entries)
 */
export function pipewireLines(facts: PipewireFacts): string[] {
  const lines = ["PipeWire camera (no kernel module needed):"];
  if (facts.library === null) {
    lines.push(`  unavailable: ${facts.libraryError ?? "libpipewire cannot be loaded"}`);
    return lines;
  }
  if (!facts.running) {
    lines.push(
      `  PipeWire is not running (${
        facts.reason ?? "no daemon answers"
      }; start it: ${PIPEWIRE_START})`,
    );
    return lines;
  }
  lines.push(
    `  PipeWire running (libpipewire ${facts.library}, ${facts.socket}${
      facts.sessionManager ? `, ${facts.sessionManager}` : ", no session manager"
    }): -v pipewire publishes the camera "backscrub"`,
  );
  lines.push(
    facts.portal === null
      ? "  camera portal: not installed (browsers reach PipeWire cameras only through it: install xdg-desktop-portal)"
      : `  camera portal: ${facts.portal}${
        facts.accessBackends.length > 0
          ? ` (${facts.accessBackends.join(", ")})`
          : ", no access backend"
      }`,
  );
  lines.push(`  Firefox: ${FIREFOX_PREF} = true (about:config)`);
  lines.push(`  Chromium, Chrome: chrome://flags/#${CHROMIUM_FLAG} → Enabled`);
  for (const b of facts.browsers) {
    const c = browserCheck(b);
    lines.push(`    ${c.text}${c.status === "ok" ? "" : ` — ${c.fix}`}`);
  }
  return lines;
}
