import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { writePng } from "../image/png.ts";
import { type Frame, makeFrame } from "../frame/frame.ts";
import { fillFrame, frameToRgb } from "../image/planar.ts";
import { writeGif } from "./_gif_writer.ts";
import { BackgroundError, type BackgroundErrorKind, openBackground } from "./mod.ts";

const W = 320, H = 180;
const SIZE = { width: W, height: H };
const OPTIONS = { size: SIZE, layout: "444" } as const;
const ctx = (timeMs = 0, layout: "444" | "422" = "444") => {
  const frame = makeFrame(SIZE, layout);
  fillFrame(frame, [90, 90, 90]);
  return { frame, mask: new Uint8Array(W * H), timeMs };
};

/** A frame as RGB. */
function rgbOf(frame: Frame): Uint8Array {
  const rgb = new Uint8Array(frame.width * frame.height * 3);
  frameToRgb(frame, rgb);
  return rgb;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_background_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A 64x48 picture: left half orange, right half teal. */
function picture(): Uint8Array {
  const data = new Uint8Array(64 * 48 * 3);
  for (let i = 0; i < 64 * 48; i++) data.set(i % 64 < 32 ? [230, 140, 40] : [30, 140, 150], i * 3);
  return data;
}

async function assertBackgroundError(
  spec: string,
  kind: BackgroundErrorKind,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(() => openBackground(spec, OPTIONS), (e: unknown) => {
    assert.ok(e instanceof BackgroundError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.doesNotMatch(e.message, /\n/);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

Deno.test("openBackground() makes off, blur and colour backgrounds in the layout asked for", async () => {
  for (const layout of ["444", "422"] as const) {
    const options = { size: SIZE, layout };
    const off = await openBackground("off", options);
    assert.equal(off.passthrough, true);
    assert.equal(off.still, false);
    const c = ctx(0, layout);
    assert.equal(off.render(c), c.frame);

    const blur = await openBackground("blur", options);
    assert.equal(blur.description, "blur 12 (mask-aware)");
    assert.equal(blur.still, false);
    const out = blur.render(ctx(0, layout));
    assert.deepEqual([out.width, out.height, out.layout], [W, H, layout]);
    assert.ok(out.y.every((v) => v === 90) && out.u.every((v) => v === 128));
    assert.equal(blur.render(ctx(40, layout)), out);
    assert.equal((await openBackground("bgblur:40", options)).description, "blur 40 (mask-aware)");

    const green = await openBackground("#00ff00", options);
    assert.equal(green.description, "colour #00ff00");
    assert.equal(green.still, true);
    const picture = green.render(ctx(0, layout));
    assert.equal(picture.layout, layout);
    // JFIF green: Y 150, Cb 44, Cr 21 (RGB within ±1 of 0, 255, 0).
    assert.deepEqual([picture.y[0], picture.u[0], picture.v[0]], [150, 44, 21]);
    assert.equal(green.render(ctx(1)), green.render(ctx(2)));
    assert.equal(
      (await openBackground("color:blue", options)).description,
      "colour #0000ff",
    );
    for (const b of [off, blur, green]) await b.close();
  }
});

Deno.test("openBackground() finds the bundled backgrounds by name", async () => {
  for (const name of ["studio.png", "bokeh.png", "office.png"]) {
    const still = await openBackground(name, { size: SIZE, layout: "422" });
    assert.match(
      still.description,
      new RegExp(`^image /.*/backgrounds/${name} 1920x1080 → cover ${W}x${H}$`),
    );
    assert.equal(still.still, true);
    const out = still.render(ctx());
    assert.deepEqual([out.width, out.height, out.layout], [W, H, "422"]);
    assert.equal(still.render(ctx(5000)), out);
  }
});

Deno.test("openBackground() opens PNG, JPEG, GIF and files named wrongly by their content", async () => {
  await withDir(async (dir) => {
    const rgb = picture();
    await Deno.writeFile(
      `${dir}/p.png`,
      writePng({ width: 64, height: 48, channels: 3, data: rgb }),
    );
    using encoder = new JpegEncoder();
    await Deno.writeFile(
      `${dir}/p.jpg`,
      encoder.encode(rgb, { width: 64, height: 48, quality: 95 }),
    );
    const gif = writeGif({
      width: 4,
      height: 4,
      palette: new Uint8Array([255, 0, 0, 0, 0, 255]),
      frames: [{ indices: new Uint8Array(16) }, { indices: new Uint8Array(16).fill(1) }],
    });
    await Deno.writeFile(`${dir}/a.gif`, gif);
    await Deno.writeFile(`${dir}/gif-named.png`, gif);
    await Deno.writeFile(
      `${dir}/noextension`,
      writePng({ width: 64, height: 48, channels: 3, data: rgb }),
    );

    for (const name of ["p.png", "p.jpg", "noextension"]) {
      const still = await openBackground(`${dir}/${name}`, OPTIONS);
      assert.equal(still.description, `image ${dir}/${name} 64x48 → cover ${W}x${H} (crops 64x36)`);
      const out = rgbOf(still.render(ctx()));
      // Cover keeps the halves: left orange, right teal (JPEG: nearly).
      const left = out.subarray((90 * W + 40) * 3), right = out.subarray((90 * W + 280) * 3);
      assert.ok(Math.abs(left[0]! - 230) <= 4 && Math.abs(right[2]! - 150) <= 4, name);
    }
    for (const name of ["a.gif", "gif-named.png"]) {
      const anim = await openBackground(`${dir}/${name}`, OPTIONS);
      assert.equal(
        anim.description,
        `GIF ${dir}/${name} 2 frames 4x4 → cover ${W}x${H}, 0.2 s loop`,
      );
      const red = anim.render(ctx(0)), blue = anim.render(ctx(100));
      assert.deepEqual([red.y[0], red.u[0], red.v[0]], [76, 85, 255]); // pure red, JFIF
      assert.deepEqual([blue.y[0], blue.u[0], blue.v[0]], [29, 255, 107]); // pure blue
    }
  });
});

Deno.test("openBackground() plays a video file", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/clip.webm`;
    const made = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1", path],
    }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const video = await openBackground(path, { size: SIZE, layout: "422" });
    try {
      assert.equal(video.description, `video ${path} 64x48 5 fps → cover ${W}x${H} (ffmpeg)`);
      assert.equal(video.still, false);
      const out = video.render(ctx(0, "422"));
      assert.deepEqual([out.width, out.height, out.layout], [W, H, "422"]);
    } finally {
      await video.close();
    }
  });
});

Deno.test("openBackground() errors are one line of facts with a kind", async () => {
  await assertBackgroundError(
    "nosuchthing",
    "spec",
    /^Cannot use background "nosuchthing": it is not off, blur\[:N\], #RRGGBB, color:NAME or a file in \/.*nosuchthing, .*\/backgrounds\/nosuchthing \(check the spelling, or give the path of an image, GIF or video\)$/,
  );
  await assertBackgroundError(
    "beach.jpg",
    "not-found",
    /^Cannot find background "beach\.jpg": looked in \/.*beach\.jpg, .*\/backgrounds\/beach\.jpg \(give its path, or put it in one of these folders\)$/,
  );
  await assertBackgroundError(
    "/no/such/dir/beach.jpg",
    "not-found",
    'Cannot find background "/no/such/dir/beach.jpg": no such file (check the path)',
  );
  await assertBackgroundError(
    "blur:0",
    "spec",
    /the blur strength is a whole number from 1 to 100 \(e\.g\. blur:12\)$/,
  );
  await assertBackgroundError("#ggg", "spec", /a colour is #RGB, #RRGGBB or color:NAME/);
  await withDir(async (dir) => {
    await Deno.writeFile(
      `${dir}/broken.png`,
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]),
    );
    await assertBackgroundError(
      `${dir}/broken.png`,
      "corrupt",
      `Cannot read background "${dir}/broken.png": corrupt PNG data (the file is truncated) (use a PNG or JPEG picture)`,
    );
    await Deno.writeFile(`${dir}/broken.gif`, new TextEncoder().encode("GIF89a\x01\x00"));
    await assertBackgroundError(
      `${dir}/broken.gif`,
      "corrupt",
      `Cannot read background "${dir}/broken.gif": corrupt GIF data (the file is truncated; re-export it)`,
    );
    await Deno.writeTextFile(`${dir}/notes`, "hello");
    await assertBackgroundError(
      `${dir}/notes`,
      "unsupported",
      `Cannot use background "${dir}/notes": it is not a PNG, JPEG or GIF (for a video, give it a .mp4, .webm, .mkv, .mov or .avi name)`,
    );
    await Deno.mkdir(`${dir}/pictures`);
    await assertBackgroundError(
      `${dir}/pictures`,
      "folder",
      `Cannot use background "${dir}/pictures": it is a folder (give a picture, an animated GIF or a video in it)`,
    );
    await Deno.writeTextFile(`${dir}/text.jpg`, "hello");
    await assertBackgroundError(
      `${dir}/text.jpg`,
      "unsupported",
      `Cannot read background "${dir}/text.jpg": not a PNG or JPEG file (use a PNG or JPEG picture)`,
    );
  });
  await assert.rejects(
    () => openBackground("blur", { size: { width: 0, height: 10 }, layout: "444" }),
    /Cannot make a background of 0x10: the output size must be positive integers/,
  );
  await assert.rejects(
    () => openBackground("#000", { size: { width: 321, height: 10 }, layout: "422" }),
    RangeError,
    "Cannot make a 422 background 321 pixels wide: half-width chroma needs an even width",
  );
  // 4:4:4 takes any width.
  assert.equal(
    (await openBackground("#000", { size: { width: 321, height: 10 }, layout: "444" })).still,
    true,
  );
});

Deno.test("src/background names no CLI flag and no shell command in its messages", async () => {
  // The CLI adds those words, keyed on BackgroundError.kind (issue 12).
  const forbidden = /--allow-|sudo |apt install|ffmpeg -i |deno task|backscrub /;
  for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    if (entry.name === "generate.ts" || entry.name === "_gif_writer.ts") continue; // tools
    const text = await Deno.readTextFile(new URL(entry.name, import.meta.url));
    const code = text.replace(/^\s*(\*|\/\/).*$/gm, ""); // comments may name them
    assert.doesNotMatch(code, forbidden, entry.name);
  }
});
