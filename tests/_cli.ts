/**
 * Runs backscrub's command line as a user does (`deno run --allow-all main.ts ...`) in a
 * subprocess, for the integration tests.
 */

import { join } from "node:path";
import { ROOT } from "./_models.ts";

/** Exit status and output of one run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `main.ts` with these arguments from the project root.
 *
 * @param args backscrub's arguments
 * @returns the exit status and decoded output
 */
export async function backscrub(...args: string[]): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join(ROOT, "main.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
