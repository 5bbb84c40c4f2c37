/**
 * The live command in file mode (`-c photo.png -v folder/`), as a user runs it: the same pipeline
 * as the virtual camera, frame-exact, on real photos of people (../shared/reference/images).
 *
 * File runs work in full-range YCbCr 4:4:4: the photo is converted once on read and the PNG once
 * on write, which gives back every RGB colour within 1 (not exactly), so pixels the pipeline
 * keeps or paints are compared within 1. A grey photo converts exactly and is compared exactly.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { readPng } from "../src/image/png.ts";
import { SHARED } from "./_models.ts";
import { backscrub } from "./_cli.ts";

const PHOTOS = {
  // A point on the face and two background points, in the photo's pixels.
  mpl_grace_hopper: { face: [0.5, 0.3], background: [[0.03, 0.03], [0.97, 0.03]] },
  skimage_astronaut: { face: [0.45, 0.25], background: [[0.97, 0.1], [0.75, 0.05]] },
} as const;

function pixel(
  img: { width: number; height: number; data: Uint8Array },
  fx: number,
  fy: number,
): number[] {
  const x = Math.round(fx * (img.width - 1));
  const y = Math.round(fy * (img.height - 1));
  const i = (y * img.width + x) * 3;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

function near(a: number[], b: number[], tolerance: number): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}

for (const [name, points] of Object.entries(PHOTOS)) {
  Deno.test(`backscrub -c ${name}.png -b #RRGGBB keeps the person and paints the background`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const photo = join(SHARED, "reference", "images", `${name}.png`);
      const r = await backscrub("-c", photo, "-v", `${dir}/`, "-b", "#00b140", "--frames", "1");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /backscrub: background colour #00b140/);
      assert.match(r.stdout, /backscrub: 1 frames in/);
      const input = readPng(await Deno.readFile(photo));
      const output = readPng(await Deno.readFile(join(dir, "frame_000001.png")));
      assert.equal(output.width, input.width);
      assert.equal(output.height, input.height);
      const face = pixel(output, points.face[0], points.face[1]);
      assert.ok(near(face, pixel(input, points.face[0], points.face[1]), 1), `face ${face}`);
      for (const [x, y] of points.background) {
        assert.ok(near(pixel(output, x, y), [0x00, 0xb1, 0x40], 1), `${pixel(output, x, y)}`);
      }
      // Every pixel is the person as it was, the colour, or a mix of the two (soft edges): within
      // 1 for the blend's rounding and 1 for the 4:4:4 round trip.
      const bg = [0x00, 0xb1, 0x40];
      let kept = 0;
      let painted = 0;
      for (let i = 0; i < output.data.length; i += 3) {
        const o = [output.data[i]!, output.data[i + 1]!, output.data[i + 2]!];
        const src = [input.data[i]!, input.data[i + 1]!, input.data[i + 2]!];
        if (near(o, bg, 1)) painted++;
        else if (near(o, src, 1)) kept++;
        for (let c = 0; c < 3; c++) {
          const lo = Math.min(src[c]!, bg[c]!) - 2;
          const hi = Math.max(src[c]!, bg[c]!) + 2;
          if (o[c]! < lo || o[c]! > hi) {
            assert.fail(`pixel ${i / 3} is ${o}, not between ${src} and ${bg}`);
          }
        }
      }
      const n = output.data.length / 3;
      assert.ok(painted > 0.1 * n && kept > 0.2 * n, `kept ${kept}, painted ${painted} of ${n}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("backscrub --blur blurs only the background of a photo", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const photo = join(SHARED, "reference", "images", "mpl_grace_hopper.png");
    const r = await backscrub("-c", photo, "-v", `${dir}/`, "--blur", "20", "--frames", "1");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /background blur 20/);
    const input = readPng(await Deno.readFile(photo));
    const output = readPng(await Deno.readFile(join(dir, "frame_000001.png")));
    // The face is untouched (within the 4:4:4 round trip)...
    assert.ok(near(pixel(output, 0.5, 0.3), pixel(input, 0.5, 0.3), 1));
    // ...and the background lost its detail: less local contrast than in the photo.
    const contrast = (img: typeof input): number => {
      let sum = 0;
      const y0 = Math.round(img.height * 0.02);
      for (let y = y0; y < y0 + 40; y++) {
        for (let x = 2; x < Math.round(img.width * 0.15); x++) {
          const i = (y * img.width + x) * 3;
          sum += Math.abs(img.data[i]! - img.data[i - 3]!);
        }
      }
      return sum;
    };
    assert.ok(
      contrast(output) < 0.5 * contrast(input),
      `${contrast(output)} vs ${contrast(input)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backscrub -H --vg mirrors and crops a file run; -b off passes it through", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const photo = join(SHARED, "reference", "images", "skimage_camera.png");
    const input = readPng(await Deno.readFile(photo));
    const r = await backscrub("-c", photo, "-v", `${dir}/`, "-b", "off", "-H", "--frames", "1");
    assert.equal(r.code, 0, r.stderr);
    const out = readPng(await Deno.readFile(join(dir, "frame_000001.png")));
    // A grey photo survives the 4:4:4 round trip exactly: mirrored pixels are equal.
    for (const [x, y] of [[0, 0], [10, 200], [300, 17]] as const) {
      const i = (y * input.width + x) * 3;
      const j = (y * input.width + (input.width - 1 - x)) * 3;
      assert.deepEqual([...out.data.subarray(j, j + 3)], [...input.data.subarray(i, i + 3)]);
    }
    const r2 = await backscrub(
      "-c",
      photo,
      "-v",
      `${dir}/small/`,
      "-b",
      "off",
      "--vg",
      "256x144",
      "--frames",
      "1",
    );
    assert.equal(r2.code, 0, r2.stderr);
    const small = readPng(await Deno.readFile(join(dir, "small", "frame_000001.png")));
    assert.equal(small.width, 256);
    assert.equal(small.height, 144);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backscrub reports a missing camera or background in one line", async () => {
  const cases: [string[], RegExp][] = [
    [["-c", "/dev/video97", "--frames", "1"], /video97/],
    [["-c", "nonexistent.png", "-v", "/tmp/x.y4m"], /nonexistent\.png/],
    [[
      "-c",
      join(SHARED, "reference", "images", "skimage_camera.png"),
      "-v",
      "/tmp/bs-out/",
      "-b",
      "nosuch.jpg",
    ], /nosuch\.jpg/],
  ];
  for (const [args, re] of cases) {
    const r = await backscrub(...args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
  }
});

Deno.test("backscrub refuses to write over its input (-c and -v the same file, also through a link)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = join(dir, "clip.y4m");
    const made = await backscrub(
      "-c",
      join(SHARED, "reference", "images", "skimage_camera.png"),
      "--frames",
      "2",
      "-b",
      "off",
      "-v",
      clip,
    );
    assert.equal(made.code, 0, made.stderr);
    const before = await Deno.readFile(clip);
    await Deno.symlink(clip, join(dir, "link.y4m"));
    for (const out of [clip, join(dir, "link.y4m")]) {
      const r = await backscrub("-c", clip, "-v", out, "-b", "off");
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^backscrub: -c and -v name the same file ".*": writing it would destroy the input; write to another file \(see backscrub --help\)\n$/,
      );
    }
    assert.deepEqual(await Deno.readFile(clip), before, "the input is untouched");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files lose nothing quietly: a full disk, a clip cut short, an input with no whole frame", async () => {
  const dir = await Deno.makeTempDir();
  const photo = join(SHARED, "reference", "images", "skimage_camera.png");
  try {
    // A full disk: ffmpeg says "Error writing trailer … No space left on device" and exits 0.
    await Deno.symlink("/dev/full", join(dir, "full.mkv"));
    let r = await backscrub("-c", photo, "--frames", "5", "-b", "off", "-v", join(dir, "full.mkv"));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^backscrub: Cannot write video ".*full\.mkv": ffmpeg could not finish the file \(.*No space left on device\)\n$/m,
    );

    // A clip cut short: the frames that are there are written, and the loss is said.
    const clip = join(dir, "clip.mp4");
    r = await backscrub("-c", photo, "--frames", "30", "-b", "off", "--vg", "160x120", "-v", clip);
    assert.equal(r.code, 0, r.stderr);
    const bytes = await Deno.readFile(clip);
    const cut = join(dir, "cut.mp4");
    await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    // Our .mp4 has its index first (+faststart): ffmpeg opens the cut file and either stops
    // early (exit 0, said in a warning) or fails at the cut (exit 1): never a quiet success.
    r = await backscrub("-c", cut, "-b", "off", "-v", join(dir, "out.y4m"));
    if (r.code === 0) {
      assert.match(
        r.stderr,
        /warning: ".*cut\.mp4" ended early: \d+ of its 30 frames could be read/,
      );
    } else {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^backscrub: Cannot read video ".*cut\.mp4": ffmpeg failed/m);
    }

    // No whole frame: nothing written is an error (exit 1), not "0 frames" and exit 0.
    const empty = join(dir, "empty.y4m");
    await Deno.writeTextFile(empty, "YUV4MPEG2 W64 H64 F10:1 C420jpeg\nFRAME\nabc");
    r = await backscrub("-c", empty, "-b", "off", "-v", join(dir, "o.y4m"));
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^backscrub: Cannot read ".*empty\.y4m": it held no whole frame: nothing was written$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
