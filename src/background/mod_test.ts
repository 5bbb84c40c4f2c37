import assert from "node:assert/strict";
import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { writePng } from "../image/png.ts";
import { writeGif } from "./_gif_writer.ts";
import { BackgroundError, openBackground } from "./mod.ts";

const W = 320, H = 180;
const ctx = (timeMs = 0) => ({
  frame: new Uint8Array(W * H * 3).fill(90),
  mask: new Uint8Array(W * H),
  timeMs,
});

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

async function assertBackgroundError(spec: string, message: string | RegExp): Promise<void> {
  await assert.rejects(() => openBackground(spec, { width: W, height: H }), (e: unknown) => {
    assert.ok(e instanceof BackgroundError, String(e));
    assert.doesNotMatch(e.message, /\n/);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

Deno.test("openBackground() makes off, blur and colour backgrounds", async () => {
  const off = await openBackground("off", { width: W, height: H });
  assert.equal(off.passthrough, true);
  const c = ctx();
  assert.equal(off.render(c), c.frame);

  const blur = await openBackground("blur", { width: W, height: H });
  assert.equal(blur.description, "blur 12 (mask-aware)");
  const out = blur.render(ctx());
  assert.equal(out.length, W * H * 3);
  assert.ok(out.every((v) => v === 90));
  assert.equal(blur.render(ctx(40)), out);
  assert.equal(
    (await openBackground("bgblur:40", { width: W, height: H })).description,
    "blur 40 (mask-aware)",
  );

  const green = await openBackground("#00ff00", { width: W, height: H });
  assert.equal(green.description, "colour #00ff00");
  assert.deepEqual([...green.render(ctx()).subarray(0, 3)], [0, 255, 0]);
  assert.equal(green.render(ctx(1)), green.render(ctx(2)));
  assert.equal(
    (await openBackground("color:blue", { width: W, height: H })).description,
    "colour #0000ff",
  );
  for (const b of [off, blur, green]) await b.close();
});

Deno.test("openBackground() finds the bundled backgrounds by name", async () => {
  for (const name of ["studio.png", "bokeh.png", "office.png"]) {
    const still = await openBackground(name, { width: W, height: H });
    assert.match(
      still.description,
      new RegExp(`^image /.*/backgrounds/${name} 1920x1080 → cover ${W}x${H}$`),
    );
    const out = still.render(ctx());
    assert.equal(out.length, W * H * 3);
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
      const still = await openBackground(`${dir}/${name}`, { width: W, height: H });
      assert.equal(still.description, `image ${dir}/${name} 64x48 → cover ${W}x${H} (crops 64x36)`);
      const out = still.render(ctx());
      // Cover keeps the halves: left orange, right teal (JPEG: nearly).
      const left = out.subarray((90 * W + 40) * 3), right = out.subarray((90 * W + 280) * 3);
      assert.ok(Math.abs(left[0]! - 230) <= 4 && Math.abs(right[2]! - 150) <= 4, name);
    }
    for (const name of ["a.gif", "gif-named.png"]) {
      const anim = await openBackground(`${dir}/${name}`, { width: W, height: H });
      assert.equal(
        anim.description,
        `GIF ${dir}/${name} 2 frames 4x4 → cover ${W}x${H}, 0.2 s loop`,
      );
      assert.deepEqual([...anim.render(ctx(0)).subarray(0, 3)], [255, 0, 0]);
      assert.deepEqual([...anim.render(ctx(100)).subarray(0, 3)], [0, 0, 255]);
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
    const video = await openBackground(path, { width: W, height: H });
    try {
      assert.equal(video.description, `video ${path} 64x48 5 fps → cover ${W}x${H} (ffmpeg)`);
      assert.equal(video.render(ctx(0)).length, W * H * 3);
    } finally {
      await video.close();
    }
  });
});

Deno.test("openBackground() errors are one line with the fix", async () => {
  await assertBackgroundError(
    "nosuchthing",
    /^Cannot use background "nosuchthing": it is not off, blur\[:N\], #RRGGBB, color:NAME or a file in \/.*nosuchthing, .*\/backgrounds\/nosuchthing \(check the spelling, or give the path of an image, GIF or video\)$/,
  );
  await assertBackgroundError(
    "beach.jpg",
    /^Cannot find background "beach\.jpg": looked in \/.*beach\.jpg, .*\/backgrounds\/beach\.jpg \(give its path, or put it in one of these folders\)$/,
  );
  await assertBackgroundError(
    "/no/such/dir/beach.jpg",
    'Cannot find background "/no/such/dir/beach.jpg": no such file (check the path)',
  );
  await assertBackgroundError(
    "blur:0",
    /the blur strength is a whole number from 1 to 100 \(e\.g\. blur:12\)$/,
  );
  await assertBackgroundError("#ggg", /a colour is #RGB, #RRGGBB or color:NAME/);
  await withDir(async (dir) => {
    await Deno.writeFile(
      `${dir}/broken.png`,
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]),
    );
    await assertBackgroundError(
      `${dir}/broken.png`,
      `Cannot read background "${dir}/broken.png": corrupt PNG data (the file is truncated) (use a PNG or JPEG picture)`,
    );
    await Deno.writeFile(`${dir}/broken.gif`, new TextEncoder().encode("GIF89a\x01\x00"));
    await assertBackgroundError(
      `${dir}/broken.gif`,
      `Cannot read background "${dir}/broken.gif": corrupt GIF data (the file is truncated; re-export it, or convert it: ffmpeg -i in.gif out.gif)`,
    );
    await Deno.writeTextFile(`${dir}/notes`, "hello");
    await assertBackgroundError(
      `${dir}/notes`,
      `Cannot use background "${dir}/notes": it is not a PNG, JPEG or GIF (for a video, give it a .mp4, .webm, .mkv, .mov or .avi name)`,
    );
    await Deno.writeTextFile(`${dir}/text.jpg`, "hello");
    await assertBackgroundError(
      `${dir}/text.jpg`,
      `Cannot read background "${dir}/text.jpg": not a PNG or JPEG file (use a PNG or JPEG picture)`,
    );
  });
  await assert.rejects(
    () => openBackground("blur", { width: 0, height: 10 }),
    /Cannot make a background of 0x10: the output size must be positive integers/,
  );
});
