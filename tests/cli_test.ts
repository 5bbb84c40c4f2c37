/**
 * The command line as a user runs it: `deno run main.ts ...` in a subprocess, checking files,
 * exit codes and that mistakes give one line without a stack trace.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { JpegEncoder } from "../ffi/turbojpeg/mod.ts";
import { readPng } from "../src/image/png.ts";
import { ROOT, SHARED } from "./_models.ts";
import { backscrub } from "./_cli.ts";

Deno.test("backscrub segment --prob-out writes MediaPipe's probabilities for a model-size photo", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const image = join(SHARED, "reference", "inputs", "256x144", "mpl_grace_hopper.png");
    const probOut = join(dir, "p.f32");
    const maskOut = join(dir, "m.png");
    const cutout = join(dir, "c.png");
    const r = await backscrub(
      "segment",
      image,
      "--model",
      "landscape",
      "--prob-out",
      probOut,
      "--mask-out",
      maskOut,
      "--cutout",
      cutout,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /model "landscape".*finds a person on \d+\.\d% of the picture/);
    const bytes = await Deno.readFile(probOut);
    const p = new Float32Array(bytes.buffer, 0, bytes.length / 4);
    const refBytes = await Deno.readFile(
      join(SHARED, "reference", "out", "selfie_segmentation_landscape", "mpl_grace_hopper.f32"),
    );
    const ref = new Float32Array(refBytes.buffer, 0, refBytes.length / 4);
    assert.equal(p.length, 256 * 144);
    let mad = 0;
    for (let i = 0; i < p.length; i++) mad += Math.abs(p[i]! - ref[i]!);
    assert.ok(mad / p.length < 1e-4, `mean abs diff ${mad / p.length}`);
    // The mask and the cut-out agree with the probabilities at the same (model) size.
    const mask = readPng(await Deno.readFile(maskOut));
    assert.equal(mask.width, 256);
    assert.equal(mask.height, 144);
    const cut = readPng(await Deno.readFile(cutout));
    assert.ok(cut.alpha);
    for (const i of [0, 5000, 20000, 36863]) {
      const expected = Math.round(p[i]! * 255);
      assert.ok(Math.abs(mask.data[3 * i]! - expected) <= 1, `mask pixel ${i}`);
      assert.ok(Math.abs(cut.alpha[i]! - expected) <= 1, `alpha pixel ${i}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backscrub segment converts a .tflite given to --model and caches it", async () => {
  const cache = await Deno.makeTempDir();
  try {
    const model = join(SHARED, "models", "segm_lite_v681.tflite");
    const image = join(SHARED, "reference", "images", "skimage_astronaut.png");
    const env = { XDG_CACHE_HOME: cache };
    const run = () =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", join(ROOT, "main.ts"), "segment", image, "-m", model],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const first = await run();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    const cached = [...Deno.readDirSync(join(cache, "backscrub", "models"))].map((e) => e.name);
    assert.equal(cached.length, 1);
    assert.match(cached[0]!, /^[0-9a-f]{64}-c\d+\.onnx$/);
    const second = await run();
    assert.equal(second.code, 0);
    const strip = (b: Uint8Array) => new TextDecoder().decode(b).replace(/in [\d.]+ ms/, "");
    assert.equal(strip(second.stdout), strip(first.stdout));
    assert.match(strip(first.stdout), /model "segm_lite_v681.tflite" \(160x96/);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("backscrub convert writes an ONNX model and a manifest that --model can use", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const onnx = join(dir, "meet.onnx");
    const r = await backscrub("convert", join(SHARED, "models", "segm_full_v679.tflite"), onnx);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /input \[1,144,256,3\] NHWC, output \[1,144,256,2\] NHWC/);
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, "meet.json")));
    assert.equal(manifest.output.kind, "softmax");
    assert.equal(manifest.output.person, 1);
    const image = join(SHARED, "reference", "inputs", "256x144", "skimage_astronaut.png");
    const probOut = join(dir, "p.f32");
    const s = await backscrub("segment", image, "-m", onnx, "--prob-out", probOut);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /model "meet"/);
    const bytes = await Deno.readFile(probOut);
    const p = new Float32Array(bytes.buffer, 0, bytes.length / 4);
    const refBytes = await Deno.readFile(
      join(SHARED, "reference", "out", "segm_full_v679", "skimage_astronaut.f32"),
    );
    const ref = new Float32Array(refBytes.buffer, 0, refBytes.length / 4);
    let mad = 0;
    for (let i = 0; i < p.length; i++) mad += Math.abs(p[i]! - ref[i]!);
    assert.ok(mad / p.length < 1e-4, `mean abs diff ${mad / p.length}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backscrub reports user mistakes in one line, without a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const broken = join(dir, "broken.tflite");
    await Deno.writeFile(broken, new TextEncoder().encode("this is not a model at all"));
    const cases: [string[], number, RegExp][] = [
      [["segment", "missing.png"], 1, /Cannot read image "missing.png": no such file/],
      [["segment", "deno.json"], 1, /Cannot read image "deno.json": not a PNG or JPEG file/],
      [["segment", "src/demo/astronaut.png", "--bogus"], 2, /Unknown option '--bogus'/],
      [
        ["segment", "src/demo/astronaut.png", "-m", "nosuchmodel"],
        1,
        /Cannot find model "nosuchmodel" .*\(run "deno task setup" to convert the bundled models/,
      ],
      [
        ["segment", "src/demo/astronaut.png", "-m", broken],
        1,
        /Cannot convert model .*not a TFLite model/,
      ],
      [["segment", "src/demo/astronaut.png", "-t", "0"], 2, /Invalid --threads "0"/],
      [
        ["segment", "src/demo/astronaut.png", "--model-output", "x"],
        2,
        /Invalid --model-output "x"/,
      ],
      [
        ["segment", "src/demo/astronaut.png", "--ort-lib", "/nonexistent/libonnxruntime.so.1"],
        1,
        // The facts from the loader, then the fix the command line adds (src/cli/explain.ts).
        /^backscrub: Cannot load ONNX Runtime \(tried "\/nonexistent\/libonnxruntime\.so\.1" \(No such file or directory\)\) \(check the path given with --ort-lib\)$/m,
      ],
      [["convert", broken, join(dir, "x.onnx")], 1, /not a TFLite model/],
      [["frobnicate"], 2, /Unknown command "frobnicate"/],
    ];
    for (const [args, code, re] of cases) {
      const r = await backscrub(...args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(
        r.stderr.trim().split("\n").length,
        1,
        `one line for ${args.join(" ")}: ${r.stderr}`,
      );
      assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backscrub --version names ONNX Runtime and libjpeg-turbo", async () => {
  const r = await backscrub("--version");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^backscrub \d+\.\d+\.\d+\nDeno 2\./);
  assert.match(r.stdout, /ONNX Runtime 1\.\d+\.\d+/);
  assert.match(r.stdout, /\nlibjpeg-turbo \d+\.\d+\.\d+ \(\/.*libturbojpeg\.so/);
});

Deno.test("backscrub --version says which library is missing and the fix", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", "--version"],
    cwd: new URL("../", import.meta.url).pathname,
    env: {
      BACKSCRUB_ORT_LIB: "/nonexistent/libonnxruntime.so.1",
      BACKSCRUB_TURBOJPEG_LIB: "/nonexistent/libturbojpeg.so.0",
    },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text);
  const lines = text.trimEnd().split("\n");
  assert.equal(
    lines[2],
    "ONNX Runtime: not found; check the path in BACKSCRUB_ORT_LIB, or unset it to use the copy " +
      "backscrub finds itself",
  );
  assert.equal(
    lines[3],
    "libjpeg-turbo: not found; check the path in BACKSCRUB_TURBOJPEG_LIB, or unset it to use " +
      "the system libturbojpeg.so.0",
  );
});

Deno.test("backscrub segment reads a JPEG through libjpeg-turbo like the same PNG", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const png = join(ROOT, "src", "demo", "astronaut.png");
    const photo = readPng(await Deno.readFile(png));
    using encoder = new JpegEncoder();
    const jpeg = join(dir, "astronaut.jpg");
    await Deno.writeFile(
      jpeg,
      encoder.encode(photo.data, { width: photo.width, height: photo.height, quality: 95 }),
    );
    const masks: Uint8Array[] = [];
    for (const input of [png, jpeg]) {
      const maskOut = join(dir, `${masks.length}.png`);
      const r = await backscrub("segment", input, "--mask-out", maskOut);
      assert.equal(r.code, 0, r.stderr);
      const mask = readPng(await Deno.readFile(maskOut));
      assert.equal(mask.width, 512);
      assert.equal(mask.height, 512);
      masks.push(mask.data);
    }
    let diff = 0;
    for (let i = 0; i < masks[0]!.length; i++) diff += Math.abs(masks[0]![i]! - masks[1]![i]!);
    const mean = diff / masks[0]!.length;
    assert.ok(mean < 2, `mean mask difference PNG vs JPEG ${mean.toFixed(2)} / 255`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
