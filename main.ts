/**
 * backscrub: a Linux virtual webcam that finds the person in the camera picture and replaces,
 * blurs or removes the background. Entry point of `deno task run` and of the compiled binary.
 *
 * @module
 */

import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
