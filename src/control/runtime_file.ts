/**
 * How `backscrub ctl` (and other tools) find a running backscrub: a file
 * `$XDG_RUNTIME_DIR/backscrub/<pid>.json` (the folder mode 0700, the file 0600; without
 * `XDG_RUNTIME_DIR`, `/tmp/backscrub-<uid>/`) holding the panel's address and token. Written at
 * start, removed at exit; a file whose process is gone is stale.
 *
 * @module
 */

import { join } from "node:path";

/** What the runtime file holds. */
export interface RuntimeInfo {
  /** The panel's address, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** The API token. */
  token: string;
  /** The process. */
  pid: number;
  /** When it started (ISO 8601). */
  started: string;
  /** The camera (`-c`). */
  camera: string;
  /** The virtual camera (`-v`). */
  virtual: string;
}

/**
 * The folder of runtime files.
 *
 * @returns `$XDG_RUNTIME_DIR/backscrub`, or `/tmp/backscrub-<uid>`
 */
export function runtimeDir(): string {
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  if (xdg) return join(xdg, "backscrub");
  return join("/tmp", `backscrub-${Deno.uid() ?? "user"}`);
}

/**
 * Writes this process's runtime file (the folder made 0700 when missing; a folder of another
 * user, or open to others, is refused: the token must stay private).
 *
 * @param info what to write
 * @returns removes the file (idempotent)
 * @throws {Error} one line when the folder is not private or the file cannot be written
 */
export function writeRuntimeFile(info: RuntimeInfo): () => void {
  const dir = runtimeDir();
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = Deno.statSync(dir);
  const uid = Deno.uid();
  if ((uid !== null && st.uid !== uid) || ((st.mode ?? 0) & 0o077) !== 0) {
    throw new Error(
      `Cannot write the control panel's token into "${dir}": the folder is not private to you (chmod 700 it)`,
    );
  }
  const path = join(dir, `${info.pid}.json`);
  const tmp = `${path}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  Deno.chmodSync(tmp, 0o600);
  Deno.renameSync(tmp, path);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    try {
      Deno.removeSync(path);
    } catch {
      // already gone
    }
  };
}
