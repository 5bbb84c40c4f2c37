/**
 * Messages a new user meets, each tried as a user would (issue 14): one line saying what is wrong
 * and what to do, never a raw OS error. File permissions are tried as an ordinary user: as root
 * (CI) the commands run as `nobody` through `setpriv`, since root may read and write anything.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_models.ts";
import { backscrub } from "./_cli.ts";

const DENO_DIR = JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
  ),
).denoDir as string;

/** Runs backscrub as an ordinary user (nobody when this is root). */
async function asUser(...args: string[]): Promise<{ code: number; out: string }> {
  const deno = [Deno.execPath(), "run", "--allow-all", "--cached-only", join(ROOT, "main.ts")];
  const root = Deno.uid() === 0;
  const [cmd, ...rest] = root
    ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...deno, ...args]
    : [...deno, ...args];
  const r = await new Deno.Command(cmd!, {
    args: rest,
    cwd: "/",
    env: { HOME: "/nonexistent", DENO_DIR, NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("an unreadable model says permission denied, not ONNX Runtime's 'system error number 13'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.chmod(dir, 0o755);
    const model = join(dir, "m.onnx");
    await Deno.copyFile(join(ROOT, "models", "selfie.onnx"), model);
    await Deno.chmod(model, 0o000);
    const r = await asUser("segment", join(ROOT, "src", "demo", "astronaut.png"), "-m", model);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /^backscrub: Cannot read model file ".*m\.onnx": permission denied \(chmod a\+r it, or run as its owner\)$/m,
    );
    assert.doesNotMatch(r.out, /system error number/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("convert into a folder you cannot write to says so in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.chmod(dir, 0o555);
    const lite = join(ROOT, "..", "shared", "models", "segm_lite_v681.tflite");
    const r = await asUser("convert", lite, join(dir, "x.onnx"));
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /^backscrub: Cannot write ".*x\.onnx": permission denied \(choose a folder you can write to\)$/m,
    );
    assert.doesNotMatch(r.out, /os error/);
  } finally {
    await Deno.chmod(dir, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doctor with a broken settings file reports it as one FAIL line and checks the rest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = join(dir, "config.json");
    await Deno.writeTextFile(config, '{"fps": "fast"}');
    const r = await backscrub("doctor", "--config", config);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^FAIL +settings: Invalid "fps" in config file ".*config\.json": use a number, got "fast" — fix: fix the file/m,
    );
    assert.match(r.stdout, /^(ok|warn|FAIL) +ONNX Runtime/m, "the other checks ran");
    assert.match(r.stdout, /^(ok|warn|FAIL) +ffmpeg/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
