/**
 * Which processes hold a device open: the answer to "device busy". Scans the
 * `/proc/PID/fd` symlinks (as `fuser` does) and names each process with
 * `/proc/PID/comm`. Processes of other users are invisible without root.
 *
 * @module
 */

/** A process holding the device. */
export interface Holder {
  /** Process id. */
  pid: number;
  /** Its command name (`/proc/PID/comm`), e.g. `"cheese"`. */
  comm: string;
}

/** The holders of a device, split into this process and the others. */
export interface Holders {
  /** Other processes with the device open. */
  others: Holder[];
  /** Whether this process has it open more than once (an earlier handle holds it). */
  self: boolean;
}

function tryOr<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * Finds the processes that have `path` open.
 *
 * @example
 * ```ts
 * import { findHolders } from "./holders.ts";
 * const { others } = findHolders("/dev/video0");
 * console.log(others.map((h) => `${h.comm} (pid ${h.pid})`).join(", "));
 * ```
 *
 * @param path The device path (symlinks such as `/dev/v4l/by-id/...` are resolved).
 * @param procRoot The proc mount (tests pass a fake tree).
 * @returns The other holders, and whether this process holds it more than once.
 */
export function findHolders(path: string, procRoot = "/proc"): Holders {
  const target = tryOr(() => Deno.realPathSync(path), path);
  const ownPid = Deno.pid;
  const others: Holder[] = [];
  let ownCount = 0;
  const entries = tryOr(() => [...Deno.readDirSync(procRoot)], []);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    const fds = tryOr(() => [...Deno.readDirSync(`${procRoot}/${pid}/fd`)], []);
    let count = 0;
    for (const fd of fds) {
      const link = tryOr(() => Deno.readLinkSync(`${procRoot}/${pid}/fd/${fd.name}`), "");
      if (link === target || link === path) count++;
    }
    if (count === 0) continue;
    if (pid === ownPid) {
      ownCount = count;
      continue;
    }
    const comm = tryOr(() => Deno.readTextFileSync(`${procRoot}/${pid}/comm`).trim(), "?");
    others.push({ pid, comm });
  }
  others.sort((a, b) => a.pid - b.pid);
  return { others, self: ownCount > 1 };
}

/**
 * Describes holders for a message: `in use by cheese (pid 4242)`.
 *
 * @param holders From {@linkcode findHolders}.
 * @returns The phrase.
 */
export function describeHolders(holders: Holders): string {
  if (holders.others.length > 0) {
    const names = holders.others.map((h) => `${h.comm} (pid ${h.pid})`);
    return `in use by ${names.join(", ")}`;
  }
  if (holders.self) return `in use by this process (pid ${Deno.pid})`;
  return "in use by a process this user cannot see";
}
