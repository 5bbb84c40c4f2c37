/**
 * What the README promises and no other test checked (issue 14): `--help`, the demo's output, and
 * the order in which bare names of models and backgrounds are looked up.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { readPng } from "../src/image/png.ts";
import { resolveResource, resourceDirs } from "../src/resources.ts";
import { backscrub } from "./_cli.ts";
import { ROOT } from "./_models.ts";

Deno.test("backscrub --help lists every long option the live command takes, exit 0", async () => {
  const r = await backscrub("--help");
  assert.equal(r.code, 0, r.stderr);
  for (
    const option of [
      "capture",
      "virtual",
      "background",
      "blur",
      "color",
      "model",
      "mirror",
      "flip",
      "cg",
      "vg",
      "format",
      "out-format",
      "fps",
      "threads",
      "threshold",
      "upsample",
      "smooth",
      "tighten",
      "light-wrap",
      "despill",
      "frame",
      "frame-zoom",
      "frames",
      "ort-lib",
      "no-idle",
      "every-frame",
      "http",
      "loop",
      "config",
      "no-config",
    ]
  ) {
    // Not followed by a hyphen either: --frame must be there, not only --frame-zoom.
    assert.match(r.stdout, new RegExp(`--${option}(?![\\w-])`), `--help mentions --${option}`);
  }
  assert.match(r.stdout, /^ {2}backscrub ctl /m);
});

Deno.test("backscrub demo writes a clip of the asked length and a preview with the person kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await backscrub("demo", "--frames", "12", "-o", dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^demo: 12 frames in /m);
    // The clip: 12 frames of 640x360 at 30 fps (ffprobe counts them).
    const probe = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-count_frames",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=width,height,nb_read_frames,avg_frame_rate",
        "-of",
        "json",
        join(dir, "demo.mp4"),
      ],
    }).output();
    const stream = JSON.parse(new TextDecoder().decode(probe.stdout)).streams[0];
    assert.deepEqual(
      [stream.width, stream.height, Number(stream.nb_read_frames), stream.avg_frame_rate],
      [640, 360, 12, "30/1"],
    );
    // The preview: camera | result. The person (centre) is the same on both sides; the
    // background (top corners) is replaced: a non-trivial mask, neither all person nor none.
    const preview = readPng(await Deno.readFile(join(dir, "demo-preview.png")));
    assert.deepEqual([preview.width, preview.height], [1280, 360]);
    const at = (x: number, y: number): number[] => {
      const i = (y * preview.width + x) * 3;
      return [...preview.data.subarray(i, i + 3)];
    };
    const diff = (a: number[], b: number[]): number =>
      a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0);
    let same = 0, changed = 0;
    for (let y = 10; y < 350; y += 20) {
      for (let x = 10; x < 630; x += 20) {
        const d = diff(at(x, y), at(640 + x, y));
        if (d <= 12) same++;
        else if (d > 60) changed++;
      }
    }
    const total = 17 * 31;
    assert.ok(same > total * 0.1, `part of the picture is the person, kept: ${same}/${total}`);
    assert.ok(changed > total * 0.1, `part is background, replaced: ${changed}/${total}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bare names are looked up in $BACKSCRUB_PATH, then XDG data, then next to the executable, then bundled", async () => {
  const tmp = await Deno.makeTempDir();
  const saved = ["BACKSCRUB_PATH", "XDG_DATA_HOME"].map((k) => [k, Deno.env.get(k)] as const);
  try {
    const bs = join(tmp, "bs");
    const xdg = join(tmp, "xdg");
    Deno.env.set("BACKSCRUB_PATH", bs);
    Deno.env.set("XDG_DATA_HOME", xdg);
    const dirs = resourceDirs("backgrounds");
    assert.deepEqual(dirs.slice(0, 2), [
      join(bs, "backgrounds"),
      join(xdg, "backscrub", "backgrounds"),
    ]);
    assert.equal(dirs[2], join(dirname(Deno.execPath()), "backgrounds"));
    assert.equal(dirs.at(-1), join(ROOT, "backgrounds"));
    // The first place that has the file wins; the bundled one is found last.
    const name = "studio.png";
    assert.equal(resolveResource(name, "backgrounds").path, join(ROOT, "backgrounds", name));
    await Deno.mkdir(join(xdg, "backscrub", "backgrounds"), { recursive: true });
    await Deno.writeTextFile(join(xdg, "backscrub", "backgrounds", name), "x");
    assert.equal(
      resolveResource(name, "backgrounds").path,
      join(xdg, "backscrub", "backgrounds", name),
    );
    await Deno.mkdir(join(bs, "backgrounds"), { recursive: true });
    await Deno.writeTextFile(join(bs, "backgrounds", name), "x");
    assert.equal(resolveResource(name, "backgrounds").path, join(bs, "backgrounds", name));
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    await Deno.remove(tmp, { recursive: true });
  }
});
