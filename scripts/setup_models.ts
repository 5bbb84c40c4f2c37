/**
 * `deno task setup` step: converts every model in `models/*.json` that names a source package
 * from the npm package's TFLite file (checked against the manifest's sha256) to `models/<onnx>`.
 * Idempotent: a model is converted again only when its source or the converter version changed
 * (recorded in `models/<onnx>.stamp`).
 *
 * @module
 */

import { join } from "node:path";
import { CONVERTER_VERSION, convertTflite } from "../src/convert/convert.ts";
import { readManifest } from "../src/models/manifest.ts";
import { projectRoot, sha256Hex, writeAtomic } from "../src/models/resolve.ts";

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const root = projectRoot();
  if (!root) throw new Error("setup_models.ts must run from a source checkout");
  const modelsDir = join(root, "models");
  let failures = 0;
  for await (const entry of Deno.readDir(modelsDir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const manifest = await readManifest(join(modelsDir, entry.name));
    const src = manifest.source;
    if (!src) continue;
    const onnxPath = join(modelsDir, manifest.onnx);
    const stampPath = `${onnxPath}.stamp`;
    const stamp = `${src.sha256} converter ${CONVERTER_VERSION}\n`;
    if ((await readText(stampPath)) === stamp && (await readText(onnxPath)) !== null) {
      console.log(`model ${manifest.name}: up to date (${manifest.onnx})`);
      continue;
    }
    const pkgDir = join(root, "node_modules", src.package);
    const pkg = JSON.parse((await readText(join(pkgDir, "package.json"))) ?? "{}");
    if (pkg.version !== src.version) {
      console.error(
        `model ${manifest.name}: npm package ${src.package}@${src.version} is not installed (found ${
          pkg.version ?? "nothing"
        }); run "deno install"`,
      );
      failures++;
      continue;
    }
    const tflite = await Deno.readFile(join(pkgDir, src.file));
    const hash = await sha256Hex(tflite);
    if (hash !== src.sha256) {
      console.error(
        `model ${manifest.name}: ${src.file} has sha256 ${hash}, the manifest expects ${src.sha256}`,
      );
      failures++;
      continue;
    }
    const t0 = performance.now();
    const result = convertTflite(tflite);
    const [, h, w, c] = result.outputs[0]!.shape;
    const [, ih, iw] = result.input.shape;
    if (
      iw !== manifest.input.width || ih !== manifest.input.height || w !== manifest.output.width ||
      h !== manifest.output.height || c !== manifest.output.channels
    ) {
      console.error(`model ${manifest.name}: the converted shapes do not match the manifest`);
      failures++;
      continue;
    }
    await writeAtomic(onnxPath, result.onnx);
    await writeAtomic(stampPath, new TextEncoder().encode(stamp));
    console.log(
      `model ${manifest.name}: converted ${src.file} → ${manifest.onnx} (${
        (performance.now() - t0).toFixed(0)
      } ms)`,
    );
  }
  return failures === 0 ? 0 : 1;
}

Deno.exit(await main());
