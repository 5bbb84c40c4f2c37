/**
 * Small helpers shared by the library loaders in `ffi/`.
 *
 * @module
 */

/**
 * Reads an environment variable; without `--allow-env` behaves as if it were unset.
 *
 * @param name the variable
 * @returns its value, or undefined when unset, empty or not readable
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * An error's message on one line (dlopen errors can span lines).
 *
 * @param error anything thrown
 * @returns its message, whitespace collapsed
 */
export function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
