/**
 * SIGHUP re-reads the settings file and changes what can change live (through the pipeline's
 * live settings), never ends the program; a bad file or a missing background keeps the old
 * settings and says so in one line. Runs backscrub as a user does, on a file source.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, SHARED } from "./_models.ts";

const PHOTO = join(SHARED, "reference", "images", "mpl_grace_hopper.png");
const W = 160;
const H = 96;

/** Reads stdout line by line until one matches. */
async function until(
  lines: AsyncIterator<string>,
  seen: string[],
  pattern: RegExp,
): Promise<string> {
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new Error(`no line matching ${pattern} in:\n${seen.join("\n")}`);
    seen.push(next.value);
    if (pattern.test(next.value)) return next.value;
  }
}

async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== "") yield rest;
}

/** The luma of pixel (x, y) of the last whole frame of a C420 y4m file. */
function lastLuma(y4m: Uint8Array, x: number, y: number): number {
  const header = y4m.indexOf(0x0a) + 1;
  const frame = 6 + W * H * 3 / 2;
  const frames = Math.floor((y4m.length - header) / frame);
  assert.ok(frames > 0, "frames were written");
  return y4m[header + (frames - 1) * frame + 6 + y * W + x]!;
}

/** Waits until the file holds two more frames than now (frames written after this point). */
async function newFrames(path: string): Promise<Uint8Array> {
  const frame = 6 + W * H * 3 / 2;
  const start = (await Deno.stat(path)).size;
  for (let i = 0; i < 500; i++) {
    if ((await Deno.stat(path)).size >= start + 2 * frame) return await Deno.readFile(path);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no new frames were written in 10 s");
}

Deno.test("SIGHUP re-reads the settings file and changes the background and framing live; bad files change nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backscrub-sighup-" });
  try {
    const config = join(dir, "backscrub", "config.json");
    await Deno.mkdir(join(dir, "backscrub"));
    await Deno.writeTextFile(config, JSON.stringify({ background: "#00ff00" }));
    const out = join(dir, "out.y4m");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        join(ROOT, "main.ts"),
        "-c",
        PHOTO,
        "--frames",
        "1000000",
        "--vg",
        `${W}x${H}`,
        "-v",
        out,
      ],
      cwd: ROOT,
      env: { XDG_CONFIG_HOME: dir, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const seen: string[] = [];
    const lines = splitLines(child.stdout)[Symbol.asyncIterator]();
    try {
      await until(lines, seen, /^backscrub: frames /);
      const green = lastLuma(await newFrames(out), 2, 2);
      assert.ok(Math.abs(green - 145) <= 3, `green background first (Y ${green})`);

      await Deno.writeTextFile(config, JSON.stringify({ background: "#0000ff", mirror: true }));
      child.kill("SIGHUP");
      const reloaded = await until(lines, seen, /^backscrub: SIGHUP: /);
      assert.match(
        reloaded,
        /^backscrub: SIGHUP: settings reloaded from frame \d+: background: colour #0000ff; mirror: true$/,
      );
      const blue = lastLuma(await newFrames(out), 2, 2);
      assert.ok(Math.abs(blue - 41) <= 3, `blue background after SIGHUP (Y ${blue})`);

      await Deno.writeTextFile(config, JSON.stringify({ background: "no-such-picture.png" }));
      child.kill("SIGHUP");
      assert.match(
        await until(lines, seen, /^backscrub: SIGHUP: /),
        /^backscrub: SIGHUP: Cannot find background "no-such-picture\.png".*; the settings stay as they were$/,
      );
      await Deno.writeTextFile(config, '{"fps": "fast"}');
      child.kill("SIGHUP");
      assert.match(
        await until(lines, seen, /^backscrub: SIGHUP: /),
        /^backscrub: SIGHUP: Invalid "fps" in config file .*; the settings stay as they were$/,
      );
      const still = lastLuma(await newFrames(out), 2, 2);
      assert.ok(Math.abs(still - 41) <= 3, `still blue after the bad files (Y ${still})`);

      // Auto-framing is a file setting too: a reload switches it on, no restart needed.
      await Deno.writeTextFile(
        config,
        JSON.stringify({ background: "#0000ff", mirror: true, frame: "auto", "frame-zoom": 2 }),
      );
      child.kill("SIGHUP");
      const framed = await until(lines, seen, /^backscrub: SIGHUP: /);
      assert.match(framed, /^backscrub: SIGHUP: settings reloaded from frame \d+: frame\b/);
      assert.match(framed, /\bauto\b/);
      assert.match(framed, /zoom\W+2\b/i);
    } finally {
      child.kill("SIGTERM");
    }
    const status = await child.status;
    const rest: string[] = [];
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      rest.push(next.value);
    }
    await child.stderr.cancel();
    assert.equal(status.code, 0, [...seen, ...rest].join("\n"));
    assert.match(rest.join("\n"), /frames in .* stopped by signal/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Whether one of the process's threads waits for a FIFO's other end (opening it). */
function opensFifo(pid: number): boolean {
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      if (Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/wchan`) === "wait_for_partner") {
        return true;
      }
    }
  } catch {
    // the process ended
  }
  return false;
}

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  Deno.test(
    `${signal} while backscrub starts (opening its source) ${
      signal === "SIGHUP" ? "does not kill it" : "ends it cleanly: exit 0"
    }`,
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        // A FIFO as the source holds backscrub in its start-up until the test writes to it.
        const fifo = join(dir, "in.y4m");
        const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
        assert.ok(made.success, "mkfifo");
        const out = join(dir, "out.y4m");
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            join(ROOT, "main.ts"),
            "-c",
            fifo,
            "-v",
            out,
            "--no-config",
            "-b",
            "off",
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const deadline = Date.now() + 30_000;
        while (!opensFifo(child.pid)) {
          assert.ok(Date.now() < deadline, "backscrub never reached its source");
          await new Promise((r) => setTimeout(r, 20));
        }
        child.kill(signal);
        // The source opens only now. Its frames then never end (SIGHUP: a few only): whatever
        // the moment the signal's listener runs (Deno delivers it a turn or more later), only
        // the signal can end the run.
        const output = child.output();
        let exited = false;
        output.finally(() => exited = true);
        const writer = await Deno.open(fifo, { write: true });
        const frame = new Uint8Array(16 * 16 * 3 / 2).fill(128);
        const enc = new TextEncoder();
        try {
          await writer.write(enc.encode("YUV4MPEG2 W16 H16 F25:1 Ip A1:1 C420jpeg\n"));
          for (let i = 0; !exited && (signal !== "SIGHUP" || i < 3); i++) {
            await writer.write(enc.encode("FRAME\n"));
            await writer.write(frame);
            await new Promise((r) => setTimeout(r, 5));
          }
        } catch (error) {
          // The reader went away (it stopped): the pipe is broken.
          if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
        } finally {
          writer.close();
        }
        const { code, stdout, stderr } = await output;
        const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
        assert.equal(code, 0, text);
        if (signal === "SIGHUP") {
          assert.match(text, /SIGHUP: still starting, nothing reloaded/);
          assert.match(text, /3 frames in/, "then it ran to the end of its source");
        } else {
          // Stopped in its start-up, or (when the listener ran later) after its first frames.
          assert.match(
            text,
            /^backscrub: (stopped by signal while starting|\d+ frames in .*, stopped by signal)$/m,
          );
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}
