import assert from "node:assert/strict";
import { readPng } from "../image/png.ts";
import { encodePng, generateBackgrounds, GENERATED_BACKGROUNDS, toRgb8 } from "./generate.ts";

const BUNDLED = new URL("../../backgrounds/", import.meta.url);

Deno.test("encodePng() writes PNGs that decode to the same pixels", async () => {
  const width = 37, height = 11;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 31 + (i >> 5) * 7) & 255);
  const image = readPng(await encodePng(rgb, { width, height }));
  assert.equal(image.width, width);
  assert.equal(image.height, height);
  assert.deepEqual(image.data, rgb);
});

Deno.test("the generated backgrounds are deterministic and muted", () => {
  for (const { file, draw } of GENERATED_BACKGROUNDS) {
    const a = toRgb8(draw(192, 108)), b = toRgb8(draw(192, 108));
    assert.deepEqual(a, b, file);
    // Muted: no pure black or white areas, a moderate mean brightness.
    let sum = 0;
    for (const v of a) sum += v;
    const mean = sum / a.length;
    assert.ok(mean > 40 && mean < 200, `${file}: mean ${mean}`);
  }
});

Deno.test("the shipped backgrounds match the generator", async () => {
  for (const { file, draw } of GENERATED_BACKGROUNDS) {
    const path = new URL(file, BUNDLED);
    const bytes = await Deno.readFile(path);
    assert.ok(bytes.length < 1.5 * 1024 * 1024, `${file} is ${bytes.length} bytes`);
    const shipped = readPng(bytes);
    assert.equal(shipped.width, 1920);
    assert.equal(shipped.height, 1080);
    const fresh = toRgb8(draw(1920, 1080));
    // Bit-exact where the maths library agrees; allow a rounding step elsewhere.
    let off = 0;
    for (let i = 0; i < fresh.length; i++) {
      const d = Math.abs(fresh[i]! - shipped.data[i]!);
      assert.ok(
        d <= 1,
        `${file}: value ${i} differs by ${d} (run: deno run -A src/background/generate.ts)`,
      );
      if (d) off++;
    }
    assert.ok(off < fresh.length / 1000, `${file}: ${off} values differ`);
  }
});

Deno.test("generateBackgrounds() writes every file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backscrub_generate_" });
  try {
    const written = await generateBackgrounds(dir, { width: 96, height: 54 });
    assert.deepEqual(
      written.map((w) => w.path.split("/").at(-1)),
      GENERATED_BACKGROUNDS.map((b) => b.file),
    );
    for (const { path } of written) assert.equal(readPng(await Deno.readFile(path)).width, 96);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
