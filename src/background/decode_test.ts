import assert from "node:assert/strict";
import { LibraryLoadError } from "../../ffi/_library.ts";
import type { Frame } from "../frame/frame.ts";
import { writePng } from "../image/png.ts";
import { ImageError } from "../image/types.ts";
import { resolveResource } from "../resources.ts";
import { writeGif } from "./_gif_writer.ts";
import {
  decodeBackgroundFile,
  decodesInThisThread,
  decodeWorkerRunning,
  fromWire,
  toWire,
} from "./decode.ts";
import { BackgroundError, openBackground } from "./mod.ts";

const SIZE = { width: 320, height: 180 };
const OPTIONS = { size: SIZE, layout: "422" } as const;
const ctx = { frame: null as unknown as Frame, mask: new Uint8Array(0), timeMs: 0 };

function studio(): string {
  const { path } = resolveResource("studio.png", "backgrounds");
  assert.ok(path !== null);
  return path;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_decode_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A two-frame 4x4 GIF: red, then blue. */
function gif(): Uint8Array {
  return writeGif({
    width: 4,
    height: 4,
    palette: new Uint8Array([255, 0, 0, 0, 0, 255]),
    frames: [{ indices: new Uint8Array(16) }, { indices: new Uint8Array(16).fill(1) }],
  });
}

function samePlanes(a: Frame, b: Frame, what: string): void {
  assert.deepEqual([a.width, a.height, a.layout], [b.width, b.height, b.layout], what);
  assert.ok(
    a.y.every((v, i) => v === b.y[i]) && a.u.every((v, i) => v === b.u[i]) &&
      a.v.every((v, i) => v === b.v[i]),
    `${what}: the same planes`,
  );
}

Deno.test("openBackground() decodes pictures and GIFs in the worker, never in the main thread", async () => {
  await withDir(async (dir) => {
    const data = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 37) % 256);
    await Deno.writeFile(`${dir}/p.png`, writePng({ width: 64, height: 48, channels: 3, data }));
    await Deno.writeFile(`${dir}/a.gif`, gif());
    const opened = [];
    for (const spec of ["studio.png", `${dir}/p.png`, `${dir}/a.gif`]) {
      opened.push(await openBackground(spec, OPTIONS));
    }
    // Nothing was decoded here: the worker did it all.
    assert.equal(decodesInThisThread(), 0);
    // The same decode run here (the counter counts) gives the same planes.
    const [still, , anim] = opened;
    const here = await decodeBackgroundFile({ path: studio(), type: "image", ...OPTIONS });
    assert.equal(decodesInThisThread(), 1);
    assert.ok(here.kind === "still");
    assert.equal(still!.description, here.description);
    samePlanes(still!.render(ctx), here.frame, "studio.png");
    const gifHere = await decodeBackgroundFile({ path: `${dir}/a.gif`, type: "gif", ...OPTIONS });
    assert.ok(gifHere.kind === "animation");
    assert.equal(anim!.description, gifHere.description);
    samePlanes(anim!.render({ ...ctx, timeMs: 0 }), gifHere.frames[0]!, "GIF frame 0");
    samePlanes(anim!.render({ ...ctx, timeMs: 100 }), gifHere.frames[1]!, "GIF frame 1");
    for (const b of opened) await b.close();
  });
});

Deno.test("a timer set before a picture opens fires before the open resolves", async () => {
  const decodes = decodesInThisThread();
  const order: string[] = [];
  setTimeout(() => order.push("timer"), 0);
  const background = await openBackground("studio.png", {
    size: { width: 1280, height: 720 },
    layout: "422",
  });
  order.push("opened");
  await background.close();
  assert.deepEqual(order, ["timer", "opened"]);
  assert.equal(decodesInThisThread(), decodes, "not decoded here");
});

Deno.test("the worker runs while a background it prepared is open and ends with the last one", async () => {
  assert.equal(decodeWorkerRunning(), false);
  const first = await openBackground("studio.png", OPTIONS);
  assert.equal(decodeWorkerRunning(), true);
  // A change of background: the next one is prepared by the same worker, then the old one closes.
  const second = await openBackground("office.png", OPTIONS);
  await first.close();
  assert.equal(decodeWorkerRunning(), true);
  await first.close(); // idempotent: gives back nothing twice
  assert.equal(decodeWorkerRunning(), true);
  await second.close();
  assert.equal(decodeWorkerRunning(), false);
  // A failed open gives its hold back too.
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/broken.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10]));
    await assert.rejects(() => openBackground(`${dir}/broken.png`, OPTIONS), BackgroundError);
  });
  assert.equal(decodeWorkerRunning(), false);
  // Opens in flight together share it.
  const both = await Promise.all([
    openBackground("studio.png", OPTIONS),
    openBackground("bokeh.png", OPTIONS),
  ]);
  assert.deepEqual(both.map((b) => b.description.split(" ")[1]!.split("/").pop()), [
    "studio.png",
    "bokeh.png",
  ]);
  for (const b of both) await b.close();
  assert.equal(decodeWorkerRunning(), false);
});

Deno.test("errors from the worker are thrown as their own class, kind and words", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/a.gif`, gif());
    await assert.rejects(
      () => openBackground(`${dir}/a.gif`, { ...OPTIONS, maxAnimationBytes: 1000 }),
      (e: unknown) => {
        assert.ok(e instanceof BackgroundError, String(e));
        assert.equal(e.kind, "too-large");
        assert.equal(e.path, `${dir}/a.gif`);
        assert.match(e.message, /^Cannot use GIF background ".*a\.gif": 2 frames at 320x180 need/);
        return true;
      },
    );
    await Deno.writeFile(`${dir}/p.jpg`, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1]));
    await assert.rejects(() => openBackground(`${dir}/p.jpg`, OPTIONS), (e: unknown) => {
      assert.ok(e instanceof BackgroundError, String(e));
      assert.equal(e.kind, "corrupt");
      assert.match(e.message, /^Cannot read background ".*p\.jpg": corrupt JPEG data \(/);
      // The cause crosses too: the image error, with its detail.
      assert.ok(e.cause instanceof ImageError);
      assert.match(e.cause.detail, /^corrupt JPEG data/);
      return true;
    });
  });
  assert.equal(decodeWorkerRunning(), false);
});

Deno.test("toWire() and fromWire() keep an error's class, fields and words", () => {
  const cause = new ImageError('Cannot read image "x.png"', "no such file", {
    cause: new Deno.errors.NotFound("No such file or directory (os error 2)"),
  });
  const back = fromWire(structuredClone(toWire(
    new BackgroundError("not-found", 'Cannot read background "x.png": no such file', {
      cause,
      path: "x.png",
    }),
  )));
  assert.ok(back instanceof BackgroundError);
  assert.deepEqual([back.kind, back.path, back.message], [
    "not-found",
    "x.png",
    'Cannot read background "x.png": no such file',
  ]);
  assert.ok(back.cause instanceof ImageError);
  assert.equal(back.cause.message, cause.message);
  assert.equal(back.cause.detail, "no such file");
  assert.ok(back.cause.cause instanceof Deno.errors.NotFound);

  const attempts = [{
    path: "libturbojpeg.so.0",
    via: "system" as const,
    failure: "not-found" as const,
    reason: "no such file",
  }];
  for (const summary of [undefined, "Cannot decode JPEG: libjpeg-turbo is missing"]) {
    const load = new LibraryLoadError("turbojpeg", attempts, summary);
    const loadBack = fromWire(structuredClone(toWire(load)));
    assert.ok(loadBack instanceof LibraryLoadError);
    assert.deepEqual(
      [loadBack.message, loadBack.library, loadBack.kind, loadBack.named, loadBack.attempts],
      [load.message, "turbojpeg", "not-found", null, attempts],
    );
  }

  const range = fromWire(structuredClone(toWire(new RangeError("too wide"))));
  assert.ok(range instanceof RangeError);
  assert.equal(range.message, "too wide");
  const other = fromWire(structuredClone(toWire("a string")));
  assert.deepEqual([other.name, other.message], ["Error", "a string"]);
});
