import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { FrameTiming } from "../frame/timing.ts";
import { MemorySource } from "../../tests/fakes/memory_stages.ts";
import { withTempDir } from "../../tests/fixtures/media.ts";
import { LoopSource } from "./loop_source.ts";
import { Y4mReader, Y4mWriter } from "./y4m.ts";

function numbered(count: number): MemorySource {
  const frames = Array.from({ length: count }, (_, i) => {
    const f = makeFrame({ width: 4, height: 2 }, "444");
    f.y.fill(i);
    return f;
  });
  return new MemorySource(frames, { fps: 1000 });
}

Deno.test("LoopSource starts the clip again from its first frame, opening it anew", async () => {
  let opened = 0;
  await using loop = await LoopSource.open(() => {
    opened++;
    return Promise.resolve(numbered(3));
  });
  const frame = makeFrame({ width: 4, height: 2 }, "444");
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    assert.equal(await loop.read(frame, new FrameTiming()), true);
    seen.push(frame.y[0]!);
  }
  assert.deepEqual(seen, [0, 1, 2, 0, 1, 2, 0, 1]);
  assert.equal(opened, 3);
  assert.equal(loop.restarts, 2);
});

Deno.test("LoopSource refuses a file with no frame instead of spinning", async () => {
  await using loop = await LoopSource.open(() =>
    Promise.resolve(new MemorySource([makeFrame({ width: 4, height: 2 }, "444")], { count: 0 }))
  );
  await assert.rejects(
    () => loop.read(makeFrame({ width: 4, height: 2 }, "444"), new FrameTiming()),
    /holds no whole frame/,
  );
});

Deno.test("LoopSource paces at the file's rate and at a lower cap; close wakes a waiting read", async () => {
  const source = new MemorySource([makeFrame({ width: 4, height: 2 }, "444")], {
    count: Infinity,
    fps: 50,
  });
  await using loop = await LoopSource.open(() => Promise.resolve(source));
  assert.equal(loop.fps, 50);
  assert.match(loop.description, /looped at 50 fps/);
  // Structural: each read is due one period after the last; the scheduler is asked to wait
  // (not a timing assertion: a read before its time never returns before close()).
  loop.setMaxFps(0.01);
  const frame = makeFrame({ width: 4, height: 2 }, "444");
  await loop.read(frame, new FrameTiming()); // the first frame is due now
  let done = false;
  const waiting = loop.read(frame, new FrameTiming()).then((ok) => {
    done = true;
    return ok;
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(done, false, "the next frame is 100 s away");
  await loop.close();
  // A read woken by close still finishes its frame or says the end; it never hangs.
  await waiting;
  assert.equal(done, true);
});

Deno.test("LoopSource rewinds a y4m file rather than opening it anew (its buffers are kept)", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/clip.y4m`;
    const size = { width: 4, height: 2 };
    const out = await Y4mWriter.open(path, { size, fps: 1000 });
    for (let i = 0; i < 3; i++) {
      const f = makeFrame(size, "444");
      f.y.fill(40 * (i + 1));
      f.u.fill(128);
      f.v.fill(128);
      await out.write(f, new FrameTiming());
    }
    await out.close();
    let opened = 0;
    await using loop = await LoopSource.open(() => {
      opened++;
      return Y4mReader.open(path);
    });
    const frame = makeFrame(size, "444");
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      assert.equal(await loop.read(frame, new FrameTiming()), true);
      seen.push(frame.y[0]!);
    }
    const [a, b, c] = seen;
    assert.ok(a! < b! && b! < c!, `three different frames: ${seen}`);
    assert.deepEqual(seen, [a, b, c, a, b, c, a, b, c, a]);
    assert.equal(loop.restarts, 3);
    assert.equal(opened, 1, "opened once: every restart a rewind");
  });
});
