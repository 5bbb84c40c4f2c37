/**
 * Which files the native libraries were loaded from, and their versions, for `backscrub --version`
 * and `backscrub doctor`. libjpeg-turbo and libv4l2 have no version function: the file the process
 * mapped is found in `/proc/self/maps`, libjpeg-turbo's version is the string it carries
 * (`libjpeg-turbo version 2.1.5 (build 20230203)`), and the package manager names the package
 * that installed a file.
 *
 * @module
 */

/**
 * The file a loaded library was mapped from.
 *
 * @example
 * ```ts ignore
 * loadedLibraryFile("libturbojpeg.so"); // "/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0.2.0"
 * ```
 *
 * @param prefix the start of the file name, e.g. `"libturbojpeg.so"`
 * @param maps the text of `/proc/self/maps` (read when not given)
 * @returns the absolute path, or null when no such file is mapped (or maps cannot be read)
 */
export function loadedLibraryFile(prefix: string, maps?: string): string | null {
  let text = maps;
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync("/proc/self/maps");
    } catch {
      return null;
    }
  }
  for (const line of text.split("\n")) {
    const slash = line.indexOf("/");
    if (slash < 0) continue;
    const path = line.slice(slash).replace(/ \(deleted\)$/, "");
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.startsWith(prefix)) return path;
  }
  return null;
}

/**
 * The libjpeg-turbo release a library file was built from, read from the version string every
 * libjpeg-turbo library carries.
 *
 * @param file the library file (e.g. from {@linkcode loadedLibraryFile})
 * @returns e.g. `"2.1.5"`, or null when the file has no such string or cannot be read
 */
export function turbojpegVersion(file: string): string | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(file);
  } catch {
    return null;
  }
  const text = new TextDecoder("latin1").decode(bytes);
  return /libjpeg-turbo version (\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null;
}

async function output(command: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null; // not installed, or not allowed to run
  }
}

/**
 * The package that installed a file and its version, asking dpkg, then rpm, then pacman.
 *
 * @param file an absolute path
 * @returns e.g. `"libv4l-0 1.22.1-5+b2"`, or null when no package manager knows the file
 */
export async function packageOf(file: string): Promise<string | null> {
  // dpkg records /lib/... or /usr/lib/... as the package shipped it; merged-/usr systems map both.
  const alternative = file.startsWith("/usr/") ? file.slice(4) : `/usr${file}`;
  for (const path of [file, alternative]) {
    const owner = await output("dpkg-query", ["-S", path]);
    const pkg = owner?.split("\n")[0]?.split(":")[0];
    if (pkg) {
      const version = await output("dpkg-query", ["-W", "-f=${Version}", pkg]);
      return version ? `${pkg} ${version}` : pkg;
    }
  }
  const rpm = await output("rpm", ["-qf", "--qf", "%{NAME} %{VERSION}-%{RELEASE}", file]);
  if (rpm) return rpm.split("\n")[0]!;
  const pacman = await output("pacman", ["-Qqo", file]);
  if (pacman) {
    const version = await output("pacman", ["-Q", pacman]);
    return version ?? pacman;
  }
  return null;
}
