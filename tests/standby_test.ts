/**
 * The loop while the camera is away: a source whose read says `standby` gets the background
 * alone with the "camera unavailable" notice — the privacy colour behind it when the background
 * is made from the camera — and no model run; the next real frame is composed as usual.
 */

import assert from "node:assert/strict";
import type { Frame } from "../src/frame/frame.ts";
import type { Size } from "../src/frame/geometry.ts";
import type { FrameSink, FrameSource } from "../src/frame/stages.ts";
import type { FrameTiming } from "../src/frame/timing.ts";
import { fillFrame } from "../src/image/planar.ts";
import { fillYuyv, Notice } from "../src/image/notice.ts";
import { cliStageFactory } from "../src/cli/stage_factory.ts";
import { Pipeline } from "../src/pipeline/loop.ts";
import { defaultSettings, PRIVACY_COLOUR } from "../src/pipeline/settings.ts";
import type { Stats } from "../src/pipeline/stats.ts";
import { MemorySink, MemorySource, MemoryYuyvSink } from "./fakes/memory_stages.ts";
import { colourBars } from "./fixtures/bars.ts";

const SIZE: Size = { width: 160, height: 90 };
const GREY = [1, 3, 5].map((i) => parseInt(PRIVACY_COLOUR.slice(i, i + 2), 16)) as [
  number,
  number,
  number,
];

/** Six reads of a memory source; reads 2 and 3 (from 0) have no camera picture. */
class AwaySource implements FrameSource {
  readonly #inner: MemorySource;
  readonly size: Size;
  readonly fps = 30;
  readonly description = "away";
  #reads = 0;
  standby = false;

  constructor(layout: "444" | "422") {
    this.#inner = MemorySource.fromRgb([colourBars(SIZE.width, SIZE.height)], SIZE, {
      count: 4,
      layout,
    });
    this.size = this.#inner.size;
  }

  async read(into: Frame, timing: FrameTiming): Promise<boolean> {
    const n = this.#reads++;
    this.standby = n === 2 || n === 3;
    // Away: the frame is left as it was (the last picture).
    return this.standby || await this.#inner.read(into, timing);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

async function run(source: FrameSource, sink: FrameSink, background: string): Promise<Stats> {
  using factory = cliStageFactory({});
  await using pipeline = await Pipeline.open({
    source,
    sink,
    factory,
    settings: defaultSettings({ background }),
    mode: "exact",
  });
  return await pipeline.run();
}

Deno.test("Pipeline: while the camera is away, the background alone with the notice, and no model run", async () => {
  const sink = new MemoryYuyvSink(SIZE);
  const stats = await run(new AwaySource("422"), sink, "#0000ff");
  assert.equal(sink.count, 6);
  assert.equal(stats.totalModelRuns, 4, "only the camera's pictures are segmented");
  const want = new Uint8Array(SIZE.width * SIZE.height * 2);
  fillYuyv(want, [0, 0, 255]);
  new Notice(SIZE).drawYuyv(want);
  assert.deepEqual(sink.frames[2], want);
  assert.deepEqual(sink.frames[3], want);
  assert.notDeepEqual(sink.frames[4], want, "the camera's next picture is composed again");
});

Deno.test("Pipeline: a background made from the camera gives way to the privacy colour behind the notice", async () => {
  for (const background of ["blur", "off"]) {
    const sink = new MemoryYuyvSink(SIZE);
    await run(new AwaySource("422"), sink, background);
    const want = new Uint8Array(SIZE.width * SIZE.height * 2);
    fillYuyv(want, GREY);
    new Notice(SIZE).drawYuyv(want);
    assert.deepEqual(sink.frames[3], want, background);
    assert.notDeepEqual(sink.frames[5], want, `${background}: the camera again`);
  }
  // A file written from a camera gets the same, in 4:4:4.
  const files = new MemorySink(SIZE);
  await run(new AwaySource("444"), files, "off");
  const frame = files.frames[2]!;
  const want = { ...frame, y: frame.y.slice(), u: frame.u.slice(), v: frame.v.slice() };
  fillFrame(want, GREY);
  new Notice(SIZE).drawFrame(want);
  assert.deepEqual([frame.y, frame.u, frame.v], [want.y, want.u, want.v]);
});
