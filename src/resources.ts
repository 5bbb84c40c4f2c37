/**
 * Finds bundled and user resources like backscrub's `resolve_path`: the given path, then
 * `$BACKSCRUB_PATH/<kind>`, `$XDG_DATA_HOME/backscrub/<kind>` (default
 * `~/.local/share/backscrub/<kind>`), `<kind>/` next to the executable, then the project's own
 * `<kind>/` (bundled with the source checkout, or embedded in the compiled binary).
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";

/** The kinds of resources: model manifests and background images/videos. */
export type ResourceKind = "models" | "backgrounds";

/** The project root (the folder holding `deno.json`), when running from source or compiled. */
export function projectRoot(): string | null {
  const url = new URL("../", import.meta.url);
  return url.protocol === "file:" ? resolve(decodeURIComponent(url.pathname)) : null;
}

/**
 * The folders searched for a kind of resource, in order.
 *
 * @param kind "models" or "backgrounds"
 * @returns absolute folder paths, without duplicates
 */
export function resourceDirs(kind: ResourceKind): string[] {
  const dirs: string[] = [];
  const env = (k: string): string | undefined => Deno.env.get(k) || undefined;
  const bsPath = env("BACKSCRUB_PATH");
  if (bsPath) { for (const p of bsPath.split(":")) if (p) dirs.push(join(p, kind)); }
  const home = env("HOME");
  const dataHome = env("XDG_DATA_HOME") ?? (home ? join(home, ".local", "share") : undefined);
  if (dataHome) dirs.push(join(dataHome, "backscrub", kind));
  // Deno.execPath() needs read permission; without it there is no "next to the executable".
  const exec = ((): string | null => {
    try {
      return Deno.execPath();
    } catch {
      return null;
    }
  })();
  if (exec !== null) dirs.push(join(dirname(exec), kind));
  const root = projectRoot();
  if (root) dirs.push(join(root, kind));
  return [...new Set(dirs)];
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Resolves a file name: as given (relative to the current directory) when it exists, else in
 * each of {@linkcode resourceDirs}.
 *
 * @param name a path or a bare file name, e.g. `beach.jpg`
 * @param kind where else to look
 * @returns the path found, or null, and every place looked at (for the error message)
 */
export function resolveResource(
  name: string,
  kind: ResourceKind,
): { path: string | null; tried: string[] } {
  const tried = [resolve(name)];
  if (isFile(name)) return { path: resolve(name), tried };
  if (!isAbsolute(name)) {
    for (const dir of resourceDirs(kind)) {
      const candidate = join(dir, name);
      tried.push(candidate);
      if (isFile(candidate)) return { path: candidate, tried };
    }
  }
  return { path: null, tried };
}
