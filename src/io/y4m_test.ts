import assert from "node:assert/strict";
import { makeFrame } from "../frame/frame.ts";
import { CHROMA_TO_FULL, frameToRgb, LUMA_TO_FULL } from "../image/planar.ts";
import { FrameTiming } from "../frame/timing.ts";
import {
  frameOf,
  maxDiff,
  readAllRgb,
  runFfmpeg,
  solidFrame,
  withTempDir,
} from "../../tests/fixtures/media.ts";
import { y4mPlanesToRgb } from "../../tests/reference/y4m_rgb.ts";
import { MediaFileError } from "./errors.ts";
import { parseY4mHeader, Y4mReader, Y4mWriter } from "./y4m.ts";

const timing = new FrameTiming();

const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [
  200,
  120,
  40,
]] as const;

/** Every frame of a y4m file, read into 4:4:4 frames and converted to RGB. */
async function readAll(path: string, warn?: (m: string) => void): Promise<Uint8Array[]> {
  await using reader = await Y4mReader.open(path, warn === undefined ? {} : { warn });
  return await readAllRgb(reader);
}

/** Writes solid RGB colours as 4:4:4 frames. */
async function writeColours(
  out: Y4mWriter,
  colours: readonly (readonly number[])[],
): Promise<void> {
  const { width, height } = out.size;
  for (const colour of colours) {
    await out.write(frameOf(solidFrame(width, height, colour), out.size), timing);
  }
}

async function assertOpenError(path: string, message: string): Promise<void> {
  await assert.rejects(() => Y4mReader.open(path), (e: unknown) => {
    assert.ok(e instanceof MediaFileError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

/**
 * Compares our decode (read into 4:4:4 frames, converted to RGB) with ffmpeg's rgb24 decode of
 * the same file, where the two chroma upsampling methods must agree. For even sizes ffmpeg's default swscale path repeats each
 * chroma sample over its two columns, ours interpolates odd columns: every even column is
 * compared, and odd columns where the two samples around them are equal. For odd sizes swscale
 * takes its filtering path instead (centred, bicubic both ways): pixels whose 5×5 chroma
 * neighbourhood is flat are compared.
 */
function compareWithFfmpeg(
  y4m: Uint8Array,
  ours: Uint8Array[],
  theirs: Uint8Array,
  layout: { width: number; height: number; chromaWidth: number; chromaRows: number },
): number {
  const { width, height, chromaWidth, chromaRows } = layout;
  const luma = width * height;
  const chroma = chromaWidth * chromaRows;
  const frameBytes = 6 + luma + 2 * chroma;
  const odd = width % 2 === 1 || height % 2 === 1;
  let offset = y4m.indexOf(0x0a) + 1;
  let compared = 0;
  ours.forEach((frame, f) => {
    const planes = y4m.subarray(offset + 6, offset + frameBytes);
    offset += frameBytes;
    const reference = theirs.subarray(f * luma * 3, (f + 1) * luma * 3);
    /** Whether chroma samples (cx, cy) and (cx + dx, cy + dy) are equal (clamped to the plane). */
    const same = (cx: number, cy: number, dx: number, dy: number): boolean => {
      const x2 = Math.max(0, Math.min(chromaWidth - 1, cx + dx));
      const y2 = Math.max(0, Math.min(chromaRows - 1, cy + dy));
      const a = cy * chromaWidth + cx;
      const b = y2 * chromaWidth + x2;
      return planes[luma + a] === planes[luma + b] &&
        planes[luma + chroma + a] === planes[luma + chroma + b];
    };
    for (let y = 0; y < height; y++) {
      const cy = chromaRows === height ? y : y >> 1;
      for (let x = 0; x < width; x++) {
        const cx = chromaWidth === width ? x : x >> 1;
        if (chromaWidth > 0 && odd) {
          let flat = true;
          for (let dy = -2; dy <= 2; dy++) {
            for (let dx = -2; dx <= 2; dx++) flat &&= same(cx, cy, dx, dy);
          }
          if (!flat) continue;
        } else if (chromaWidth > 0 && chromaWidth < width && x % 2 === 1) {
          if (!same(cx, cy, 1, 0)) continue;
        }
        for (let k = 0; k < 3; k++) {
          const i = (y * width + x) * 3 + k;
          const d = Math.abs(frame[i]! - reference[i]!);
          assert.ok(
            d <= 3,
            `frame ${f} pixel ${x},${y} channel ${k}: ${frame[i]} vs ${reference[i]}`,
          );
        }
        compared++;
      }
    }
  });
  return compared;
}

Deno.test("parseY4mHeader() reads every field and fills in the defaults", () => {
  const header = parseY4mHeader(
    "YUV4MPEG2 W64 H48 F30000:1001 It A128:117 C422 XYSCSS=422 XCOLORRANGE=FULL XFOO",
  );
  assert.deepEqual(header, {
    width: 64,
    height: 48,
    fpsNum: 30000,
    fpsDen: 1001,
    interlace: "t",
    aspectNum: 128,
    aspectDen: 117,
    colorspace: "422",
    range: "full",
    extensions: ["YSCSS=422", "COLORRANGE=FULL", "FOO"],
  });
  const bare = parseY4mHeader("YUV4MPEG2 W2 H2");
  assert.equal(bare.colorspace, "420jpeg");
  assert.equal(bare.range, "limited");
  assert.equal(bare.fpsNum / bare.fpsDen, 25);
  assert.equal(bare.interlace, "p");
  assert.equal(parseY4mHeader("YUV4MPEG2 W2 H2 F0:0").fpsNum, 25);
});

Deno.test("parseY4mHeader() rejects bad headers in one line", () => {
  const cases: [string, string][] = [
    ["P6 64 48 255", 'not a y4m file (it does not start with "YUV4MPEG2 ")'],
    [
      "YUV4MPEG2 W64 H48 C420p10",
      'colour space "C420p10" is not supported (8-bit C420jpeg, C420mpeg2, C420paldv, C420, ' +
      "C422, C444, Cmono are)",
    ],
    ["YUV4MPEG2 W64 F5:1", "the header has no width (W) or height (H)"],
    ["YUV4MPEG2 W0 H48", 'width "W0" is not a size from 1 to 32768'],
    ["YUV4MPEG2 W64 H48 F30", 'frame rate "F30" is not a ratio like 30:1'],
    ["YUV4MPEG2 W64 H48 Ix", 'interlacing "Ix" is not one of Ip, It, Ib, Im, I?'],
    ["YUV4MPEG2 W64 H48 Q1", 'unknown header field "Q1"'],
  ];
  for (const [line, detail] of cases) {
    assert.throws(() => parseY4mHeader(line), (e: unknown) => {
      assert.ok(e instanceof MediaFileError);
      assert.equal(e.message, `Cannot parse y4m header: ${detail}`);
      assert.equal(e.kind, detail.includes("supported") ? "unsupported" : "corrupt");
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("Y4mWriter and Y4mReader round-trip flat colours within 2", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/colours.y4m`;
    const size = { width: 32, height: 24 };
    const out = await Y4mWriter.open(path, { size, fps: 29.97 });
    assert.equal(out.kind, "planar");
    assert.deepEqual(out.size, size);
    assert.equal(
      out.headerLine,
      "YUV4MPEG2 W32 H24 F30000:1001 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED",
    );
    const timed = new FrameTiming();
    await out.write(frameOf(solidFrame(32, 24, COLOURS[0]), size), timed);
    assert.ok(timed.convert >= 0);
    await writeColours(out, COLOURS.slice(1));
    await out.close();
    await out.close(); // idempotent

    const text = new TextDecoder().decode((await Deno.readFile(path)).subarray(0, 100));
    assert.ok(text.startsWith(`${out.headerLine}\nFRAME\n`));
    assert.equal((await Deno.stat(path)).size, out.headerLine.length + 1 + 6 * (6 + 32 * 24 * 1.5));

    await using reader = await Y4mReader.open(path);
    assert.deepEqual(reader.size, size);
    assert.equal(reader.fps, 30000 / 1001);
    assert.equal(reader.header.colorspace, "420mpeg2");
    assert.equal(reader.header.range, "limited");
    assert.equal(reader.header.aspectNum, 1);
    assert.equal(reader.description, `${path} 32x24 C420mpeg2 29.97 fps`);
    const frame = makeFrame(size, "444");
    const rgb = new Uint8Array(32 * 24 * 3);
    for (const colour of COLOURS) {
      const timed = new FrameTiming();
      assert.ok(await reader.read(frame, timed));
      assert.ok(timed.decode >= 0);
      frameToRgb(frame, rgb);
      assert.ok(maxDiff(rgb, solidFrame(32, 24, colour)) <= 2, `colour ${colour}`);
    }
    assert.equal(await reader.read(frame, timing), false);
    assert.equal(await reader.read(frame, timing), false);
    assert.equal(reader.framesRead, COLOURS.length);
  });
});

Deno.test("Y4mWriter writes odd sizes as C444 and they read back exactly enough", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/odd.y4m`;
    const size = { width: 5, height: 3 };
    const out = await Y4mWriter.open(path, { size, fps: 10 });
    assert.match(out.headerLine, / C444 /);
    const frame = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
    await out.write(frameOf(frame, size), timing);
    await out.close();
    const [back] = await readAll(path);
    assert.ok(back !== undefined);
    // Per-pixel chroma: only 8-bit full- and limited-range quantisation is lost.
    assert.ok(maxDiff(back, frame) <= 3, `max diff ${maxDiff(back, frame)}`);
  });
});

Deno.test("Y4mReader matches ffmpeg's decode of an ffmpeg-made 4:2:0 file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/testsrc.y4m`;
    await runFfmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=64x48:rate=5",
      "-frames",
      "3",
      "-pix_fmt",
      "yuv420p",
      path,
    ]);
    const theirs = await runFfmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    await using reader = await Y4mReader.open(path);
    assert.equal(reader.header.colorspace, "420jpeg"); // what ffmpeg writes for yuv420p
    assert.equal(reader.fps, 5);
    assert.deepEqual(reader.size, { width: 64, height: 48 });
    const ours = await readAll(path);
    assert.equal(ours.length, 3);
    // Within 2, and 99 % within 1, of the RGB decode the reader gave before it made frames (the
    // frame's Y, Cb and Cr are rounded: one rounding more, see _yuv_planes_test.ts). ffmpeg's
    // 4:2:0 chroma overshoots the limited range at sharp colour edges (4 … 255 here): those
    // pixels are decoded the old way, through RGB.
    const bytes = await Deno.readFile(path);
    const start = bytes.indexOf(0x0a) + 1;
    ours.forEach((rgb, f) => {
      const planes = bytes.subarray(start + f * (6 + 4608) + 6, start + (f + 1) * (6 + 4608));
      const expected = new Uint8Array(rgb.length);
      y4mPlanesToRgb(planes, expected, { width: 64, height: 48, subsampling: "420" });
      assert.ok(maxDiff(rgb, expected) <= 2, `frame ${f}`);
      const close = rgb.filter((b, i) => Math.abs(b - expected[i]!) <= 1).length;
      assert.ok(close >= 0.99 * rgb.length, `frame ${f}: ${close} of ${rgb.length} within 1`);
    });
    // Into a 4:2:2 frame (a file feeding the virtual camera) 4:2:0 stays 4:2:0, range-expanded.
    await using again = await Y4mReader.open(path);
    const half = makeFrame(again.size, "422");
    assert.ok(await again.read(half, timing));
    assert.equal(half.layout, "420");
    const first = bytes.subarray(start + 6, start + 6 + 4608);
    assert.deepEqual(half.y, first.subarray(0, 3072).map((b) => LUMA_TO_FULL[b]!));
    assert.deepEqual(
      half.v.subarray(0, 768),
      first.subarray(3840, 4608).map((b) => CHROMA_TO_FULL[b]!),
    );
    const compared = compareWithFfmpeg(bytes, ours, theirs, {
      width: 64,
      height: 48,
      chromaWidth: 32,
      chromaRows: 24,
    });
    assert.ok(compared > 3 * 64 * 48 * 0.6, `only ${compared} pixels compared`);
  });
});

Deno.test("Y4mReader reads 4:2:2, 4:4:4, mono, full-range and odd-size files like ffmpeg", async () => {
  await withTempDir(async (dir) => {
    const cases = [
      { pixFmt: "yuv422p", colorspace: "422", chromaWidth: 32, chromaRows: 48, range: "limited" },
      { pixFmt: "yuv444p", colorspace: "444", chromaWidth: 64, chromaRows: 48, range: "limited" },
      { pixFmt: "gray", colorspace: "mono", chromaWidth: 0, chromaRows: 0, range: "full" },
      { pixFmt: "yuvj420p", colorspace: "420jpeg", chromaWidth: 32, chromaRows: 24, range: "full" },
      {
        pixFmt: "yuv420p",
        colorspace: "420jpeg",
        width: 63,
        height: 47,
        pattern: "smptebars", // large flat areas: testsrc is too busy at this size
        chromaWidth: 32,
        chromaRows: 24,
        range: "limited",
      },
    ];
    for (const c of cases) {
      const width = c.width ?? 64;
      const height = c.height ?? 48;
      const path = `${dir}/${c.pixFmt}_${width}.y4m`;
      await runFfmpeg([
        ...[
          "-f",
          "lavfi",
          "-i",
          `${c.pattern ?? "testsrc"}=size=${width}x${height}:rate=5`,
          "-frames",
          "2",
        ],
        ...["-pix_fmt", c.pixFmt, "-strict", "-1", path],
      ]);
      const theirs = await runFfmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
      await using reader = await Y4mReader.open(path);
      assert.equal(reader.header.colorspace, c.colorspace, c.pixFmt);
      assert.equal(reader.header.range, c.range, c.pixFmt);
      assert.deepEqual(reader.size, { width, height });
      const ours = await readAll(path);
      assert.equal(ours.length, 2);
      const compared = compareWithFfmpeg(await Deno.readFile(path), ours, theirs, {
        width,
        height,
        chromaWidth: c.chromaWidth,
        chromaRows: c.chromaRows,
      });
      const all = 2 * width * height;
      assert.ok(
        compared > all * (width % 2 === 1 ? 0.2 : 0.6),
        `${c.pixFmt}: only ${compared} of ${all} pixels compared`,
      );
      if (c.chromaWidth === width || c.chromaWidth === 0) assert.equal(compared, all);
    }
  });
});

Deno.test("ffmpeg reads Y4mWriter's files as 4:2:0 MPEG-2 siting and the colours survive", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ours.y4m`;
    const out = await Y4mWriter.open(path, { size: { width: 16, height: 16 }, fps: 25 });
    await writeColours(out, COLOURS);
    await out.close();
    const rgb = await runFfmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    assert.equal(rgb.length, COLOURS.length * 16 * 16 * 3);
    COLOURS.forEach((colour, i) => {
      const frame = rgb.subarray(i * 768, (i + 1) * 768);
      assert.ok(maxDiff(frame, solidFrame(16, 16, colour)) <= 3, `colour ${colour}`);
    });
    // ffmpeg sees MPEG-2 siting (chroma_location=left) and writes it back unchanged.
    const probe = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-show_entries",
        "stream=pix_fmt,chroma_location,color_range",
        "-of",
        "compact",
        path,
      ],
      stdout: "piped",
    }).output();
    assert.equal(
      new TextDecoder().decode(probe.stdout).trim(),
      "stream|pix_fmt=yuv420p|color_range=tv|chroma_location=left",
    );
    const copy = `${dir}/copy.y4m`;
    await runFfmpeg(["-i", path, copy]);
    const header = (await Deno.readTextFile(copy)).split("\n")[0];
    assert.equal(
      header,
      "YUV4MPEG2 W16 H16 F25:1 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED",
    );
  });
});

Deno.test("Y4mReader ends a truncated file with one warning", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cut.y4m`;
    const out = await Y4mWriter.open(path, { size: { width: 8, height: 8 }, fps: 1 });
    await writeColours(out, [[0, 0, 0], [50, 0, 0], [100, 0, 0]]);
    await out.close();
    const bytes = await Deno.readFile(path);
    const frameBytes = 6 + 96;
    const warnings: string[] = [];

    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 10));
    assert.equal((await readAll(path, (m) => warnings.push(m))).length, 2);
    assert.deepEqual(warnings, [
      `Stopped reading "${path}" after 2 frames: the file ends inside frame 3 (86 of 96 bytes)`,
    ]);

    warnings.length = 0;
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - frameBytes + 3));
    assert.equal((await readAll(path, (m) => warnings.push(m))).length, 2);
    assert.deepEqual(warnings, [
      `Stopped reading "${path}" after 2 frames: the file ends inside the header of frame 3`,
    ]);

    // A whole number of frames is a clean end.
    warnings.length = 0;
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - frameBytes));
    assert.equal((await readAll(path, (m) => warnings.push(m))).length, 2);
    assert.deepEqual(warnings, []);
  });
});

Deno.test("Y4mReader.open() and read() fail in one line naming the file", async () => {
  await withTempDir(async (dir) => {
    const file = (name: string) => `${dir}/${name}`;
    const action = (name: string) => `Cannot read y4m ${JSON.stringify(file(name))}`;
    await assertOpenError(file("missing.y4m"), `${action("missing.y4m")}: no such file`);

    await Deno.writeFile(file("empty.y4m"), new Uint8Array());
    await assertOpenError(file("empty.y4m"), `${action("empty.y4m")}: the file is empty`);

    await Deno.writeFile(file("png.y4m"), new Uint8Array(10000).fill(0x89));
    await assertOpenError(
      file("png.y4m"),
      `${action("png.y4m")}: not a y4m file (it does not start with "YUV4MPEG2 ")`,
    );
    await Deno.writeTextFile(file("text.y4m"), "hello\nworld\n");
    await assertOpenError(
      file("text.y4m"),
      `${action("text.y4m")}: not a y4m file (it does not start with "YUV4MPEG2 ")`,
    );
    await Deno.writeTextFile(file("half.y4m"), "YUV4MPEG2 W64 H4");
    await assertOpenError(
      file("half.y4m"),
      `${action("half.y4m")}: the file ends inside its header`,
    );

    await Deno.writeTextFile(file("p10.y4m"), "YUV4MPEG2 W64 H48 F5:1 C420p10\nFRAME\n");
    await assertOpenError(
      file("p10.y4m"),
      `${action("p10.y4m")}: colour space "C420p10" is not supported (8-bit C420jpeg, ` +
        "C420mpeg2, C420paldv, C420, C422, C444, Cmono are)",
    );

    await Deno.writeTextFile(file("bad.y4m"), "YUV4MPEG2 W2 H2 C444\nFRAME\n123456789012FRAMX\n");
    await using reader = await Y4mReader.open(file("bad.y4m"));
    const frame = makeFrame({ width: 2, height: 2 }, "444");
    await assert.rejects(
      () => reader.read(makeFrame({ width: 2, height: 4 }, "444"), timing),
      RangeError,
    );
    assert.ok(await reader.read(frame, timing));
    await assert.rejects(() => reader.read(frame, timing), (e: unknown) => {
      assert.ok(e instanceof MediaFileError);
      assert.equal(e.kind, "corrupt");
      assert.equal(
        e.message,
        `${action("bad.y4m")}: frame 2 does not start with "FRAME" (the file is corrupt)`,
      );
      return true;
    });
  });
});

Deno.test("Y4mWriter.open() rejects bad sizes and missing folders in one line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/no/such/out.y4m`;
    await assert.rejects(
      () => Y4mWriter.open(path, { size: { width: 8, height: 8 }, fps: 30 }),
      (e: unknown) => {
        assert.ok(e instanceof MediaFileError);
        assert.equal(
          e.message,
          `Cannot write y4m ${JSON.stringify(path)}: its folder does not exist`,
        );
        assert.equal(e.kind, "not-found");
        return true;
      },
    );
    const ok = `${dir}/out.y4m`;
    await assert.rejects(
      () => Y4mWriter.open(ok, { size: { width: 0, height: 8 }, fps: 30 }),
      /: width 0 is not a size from 1 to 32768$/,
    );
    await assert.rejects(
      () => Y4mWriter.open(ok, { size: { width: 8, height: 8 }, fps: 0 }),
      /: frame rate 0 is not a positive number$/,
    );
  });
});

Deno.test("Y4mReader.rewind() starts again from the first frame, as a reopened file would", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/loop.y4m`;
    const out = await Y4mWriter.open(path, { size: { width: 8, height: 8 }, fps: 5 });
    await writeColours(out, [[0, 0, 0], [120, 0, 0], [0, 200, 0]]);
    await out.close();
    const once = await readAll(path);
    await using reader = await Y4mReader.open(path);
    const frame = makeFrame(reader.size, "444");
    for (let round = 0; round < 3; round++) {
      const rgb: Uint8Array[] = [];
      while (await reader.read(frame, timing)) {
        const pixels = new Uint8Array(8 * 8 * 3);
        frameToRgb(frame, pixels);
        rgb.push(pixels);
      }
      assert.deepEqual(rgb, once, `round ${round}`);
      assert.equal(reader.framesRead, 3);
      await reader.rewind();
      assert.equal(reader.framesRead, 0);
    }
    await reader.close();
    await assert.rejects(
      () => reader.rewind(),
      /Cannot read y4m ".*loop\.y4m" again: it is closed/,
    );
  });
});
