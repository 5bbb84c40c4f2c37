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

/** How many handles of a device are open, for counting its readers (`ReaderWatch`). */
export interface HandleCount {
  /** Other processes with the device open. */
  processes: number;
  /** Their file descriptors that point at the device. */
  handles: number;
  /** This process's file descriptors that point at it. */
  selfHandles: number;
  /**
   * Whether every process's descriptors could be read, so that these are all the handles there
   * are (as root); `false` when some could not (other users' processes, or non-dumpable ones, as
   * another user), which may hold the device unseen.
   */
  complete: boolean;
}

/** One scan of `/proc`: each holder with its handle count. */
interface Scan {
  others: (Holder & { handles: number })[];
  selfHandles: number;
  complete: boolean;
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
  const { others, selfHandles } = scan(path, procRoot);
  return { others: others.map(({ pid, comm }) => ({ pid, comm })), self: selfHandles > 1 };
}

/**
 * Counts the handles of `path` that processes hold open, and says whether every process could
 * be looked at.
 *
 * @example
 * ```ts
 * import { countHandles } from "./holders.ts";
 * const { handles, complete } = countHandles("/dev/video10");
 * console.log(`${handles} handles${complete ? "" : " (and maybe more this user cannot see)"}`);
 * ```
 *
 * @param path The device path (symlinks are resolved).
 * @param procRoot The proc mount (tests pass a fake tree).
 * @returns The counts.
 */
export function countHandles(path: string, procRoot = "/proc"): HandleCount {
  const { others, selfHandles, complete } = scan(path, procRoot);
  let handles = 0;
  for (const h of others) handles += h.handles;
  return { processes: others.length, handles, selfHandles, complete };
}

function scan(path: string, procRoot: string): Scan {
  const target = tryOr(() => Deno.realPathSync(path), path);
  const ownPid = Deno.pid;
  const others: (Holder & { handles: number })[] = [];
  let selfHandles = 0;
  const entries = tryOr(() => [...Deno.readDirSync(procRoot)], []);
  let complete = entries.length > 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    let fds: Deno.DirEntry[];
    try {
      fds = [...Deno.readDirSync(`${procRoot}/${pid}/fd`)];
    } catch (error) {
      // A process that ended meanwhile holds nothing; one that cannot be read may.
      if (!(error instanceof Deno.errors.NotFound)) complete = false;
      continue;
    }
    let count = 0;
    for (const fd of fds) {
      const link = tryOr(() => Deno.readLinkSync(`${procRoot}/${pid}/fd/${fd.name}`), "");
      if (link === target || link === path) count++;
    }
    if (count === 0) continue;
    if (pid === ownPid) {
      selfHandles = count;
      continue;
    }
    const comm = tryOr(() => Deno.readTextFileSync(`${procRoot}/${pid}/comm`).trim(), "?");
    others.push({ pid, comm, handles: count });
  }
  others.sort((a, b) => a.pid - b.pid);
  return { others, selfHandles, complete };
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
