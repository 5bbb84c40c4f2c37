import assert from "node:assert/strict";
import { WarningLimit } from "./warning_limit.ts";

Deno.test("WarningLimit says the first warning at once and sums up the rest once per interval", () => {
  let now = 0;
  const lines: string[] = [];
  const limit = new WarningLimit((l) => lines.push(l), { intervalMs: 30_000, now: () => now });
  // A camera sending a corrupt frame 25 times a second for two minutes.
  for (let frame = 0; frame < 25 * 120; frame++) {
    now = frame * 40;
    limit.warn(`Skipped a corrupt MJPG frame: number ${frame}`, "skipped");
    limit.flush();
  }
  assert.equal(lines[0], "Skipped a corrupt MJPG frame: number 0", "the first at once");
  // Then one line per 30 s, each the latest with the count held back since the line before.
  assert.deepEqual(lines.slice(1), [
    "Skipped a corrupt MJPG frame: number 750 (750 like this in the last 30 s)",
    "Skipped a corrupt MJPG frame: number 1500 (750 like this in the last 30 s)",
    "Skipped a corrupt MJPG frame: number 2250 (750 like this in the last 30 s)",
  ]);
  assert.equal(limit.held, 25 * 120 - 1);
  // The garbage stops (the last frame came at 119.96 s): what is held back is said by flush()
  // once the interval is over.
  limit.flush();
  assert.equal(lines.length, 4, "not before the interval is over");
  now = 120_000;
  limit.flush();
  assert.equal(
    lines[4],
    "Skipped a corrupt MJPG frame: number 2999 (749 like this in the last 30 s)",
  );
  limit.flush();
  assert.equal(lines.length, 5, "said once");
});

Deno.test("WarningLimit starts afresh after a quiet interval, and limits each kind on its own", () => {
  let now = 0;
  const lines: string[] = [];
  const limit = new WarningLimit((l) => lines.push(l), { intervalMs: 1000, now: () => now });
  limit.warn("a1", "skipped");
  limit.warn("d1", "damaged"); // another kind: its own limit
  now = 500;
  limit.warn("a2", "skipped"); // held back
  now = 1200;
  limit.flush(); // a single one held back: said as it came
  now = 2300;
  limit.flush();
  limit.warn("a3", "skipped"); // quiet for an interval: at once
  limit.warn("d2", "damaged"); // likewise
  assert.deepEqual(lines, ["a1", "d1", "a2", "a3", "d2"]);
  assert.equal(limit.held, 1);
  assert.throws(() => new WarningLimit(() => {}, { intervalMs: 0 }), /it must be above 0/);
});
