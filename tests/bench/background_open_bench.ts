/**
 * What opening a picture background costs the main thread — the thread the camera loop runs on.
 * A background changed while the camera runs must not stall frames, so what matters is not how
 * long an open takes but the longest time the event loop is blocked meanwhile.
 *
 * ```sh
 * deno run --allow-all tests/bench/background_open_bench.ts [rounds]   # longest blocks (default 5 rounds)
 * deno bench --allow-all tests/bench/background_open_bench.ts          # wall time of one open
 * ```
 *
 * Three ways, each on studio.png and office.png (1920x1080) at 1280x720, 4:2:2 (and, for scale,
 * 150 ms of an idle loop):
 * - `main thread`: the work done in the event loop's thread (as `openBackground` did before the
 *   decoding worker): read, decode, cover-scale and convert;
 * - `worker, cold`: `openBackground` with no decoding worker running (it starts one: Deno
 *   creates the worker's runtime before `new Worker` returns);
 * - `worker, warm`: `openBackground` while another background holds the worker (a live change
 *   from one picture to another).
 *
 * The longest block is the longest gap between two runs of a `setTimeout(0)` chain while the
 * open is under way (on an idle loop a gap is well under a millisecond; on a busy machine the
 * scheduler adds a few).
 */

import type { Background } from "../../src/frame/stages.ts";
import { loadImage } from "../../src/io/image_file.ts";
import { openBackground } from "../../src/background/mod.ts";
import { imageBackground } from "../../src/background/still.ts";
import { resolveResource } from "../../src/resources.ts";

const SIZE = { width: 1280, height: 720 };
const OPTIONS = { size: SIZE, layout: "422" } as const;
const NAMES = ["studio.png", "office.png"];

function pathOf(name: string): string {
  const { path } = resolveResource(name, "backgrounds");
  if (path === null) throw new Error(`Cannot find background ${name}`);
  return path;
}

/** The work of an open in this thread: read (once to sniff, as before), decode, scale, convert. */
async function openHere(name: string): Promise<Background> {
  const path = pathOf(name);
  await Deno.readFile(path);
  return imageBackground(await loadImage(path), { ...OPTIONS, path });
}

/**
 * The longest the event loop was blocked while `fn` ran, in milliseconds.
 *
 * @param fn the work
 * @returns the longest gap between two turns of a timer chain
 */
async function longestBlock(fn: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) timer = setTimeout(tick, 0);
  };
  timer = setTimeout(tick, 0);
  await fn();
  running = false;
  clearTimeout(timer);
  return Math.max(longest, performance.now() - last);
}

type Way = "idle (no open)" | "main thread" | "worker, cold" | "worker, warm";

async function measure(way: Way, name: string): Promise<{ block: number; total: number }> {
  const holder = way === "worker, warm" ? await openBackground("bokeh.png", OPTIONS) : null;
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the worker settle
  let background: Background | null = null;
  const start = performance.now();
  const block = await longestBlock(async () => {
    if (way === "idle (no open)") await new Promise((resolve) => setTimeout(resolve, 150));
    else if (way === "main thread") background = await openHere(name);
    else background = await openBackground(name, OPTIONS);
  });
  const total = performance.now() - start;
  await (background as Background | null)?.close();
  await holder?.close();
  return { block, total };
}

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 5);
  console.log(`longest event-loop block while opening a background at 1280x720 4:2:2`);
  console.log(`(${rounds} rounds; median / max of the longest block, median open time)`);
  for (const name of NAMES) {
    const ways = ["idle (no open)", "main thread", "worker, cold", "worker, warm"] as const;
    for (const way of ways) {
      const blocks: number[] = [];
      const totals: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const { block, total } = await measure(way, name);
        blocks.push(block);
        totals.push(total);
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      console.log(
        `${name.padEnd(11)} ${way.padEnd(14)} block ${median(blocks).toFixed(1).padStart(6)} / ${
          Math.max(...blocks).toFixed(1).padStart(6)
        } ms   open ${median(totals).toFixed(0).padStart(4)} ms`,
      );
    }
  }
} else {
  for (const name of NAMES) {
    Deno.bench(`open ${name} 1280x720 in the main thread`, {
      group: `open ${name}`,
      baseline: true,
      n: 10,
      warmup: 2,
    }, async () => {
      await (await openHere(name)).close();
    });
    Deno.bench(`open ${name} 1280x720 in the warm worker`, {
      group: `open ${name}`,
      n: 10,
      warmup: 2,
    }, async (b) => {
      const holder = await openBackground("bokeh.png", OPTIONS);
      b.start();
      const background = await openBackground(name, OPTIONS);
      b.end();
      await background.close();
      await holder.close();
    });
  }
}
