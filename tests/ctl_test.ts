/**
 * `backscrub ctl` against a real running backscrub (a picture played as a live camera into the
 * null sink, its control server on a free port), run as a user does: `main.ts ctl ...` in a
 * subprocess, the runtime, settings and data folders in a temporary directory.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, SHARED } from "./_models.ts";

const PICTURE = join(ROOT, "src", "demo", "astronaut.png");
const UPLOAD = join(SHARED, "reference", "images", "mpl_grace_hopper.png");
/** A pid that cannot be running (above Linux's largest pid_max). */
const DEAD_PID = 2147483000;
const NOT_RUNNING = "backscrub ctl: no backscrub is running (start it with: backscrub)";

/** The folders one run uses, all under one temporary directory. */
interface Home {
  dir: string;
  env: Record<string, string>;
  /** `$XDG_RUNTIME_DIR/backscrub`. */
  runtime: string;
  /** The settings file. */
  config: string;
}

async function makeHome(): Promise<Home> {
  const dir = await Deno.makeTempDir({ prefix: "backscrub-ctl-" });
  const env = {
    XDG_RUNTIME_DIR: join(dir, "run"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_DATA_HOME: join(dir, "data"),
    NO_COLOR: "1",
  };
  await Deno.mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  await Deno.mkdir(join(env.XDG_CONFIG_HOME, "backscrub"), { recursive: true });
  return {
    dir,
    env,
    runtime: join(env.XDG_RUNTIME_DIR, "backscrub"),
    config: join(env.XDG_CONFIG_HOME, "backscrub", "config.json"),
  };
}

/** Runs `backscrub ctl ...` in a subprocess. */
async function ctl(
  home: Home,
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join(ROOT, "main.ts"), "ctl", ...args],
    cwd,
    env: home.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A running backscrub and its runtime file's content. */
interface Running {
  child: Deno.ChildProcess;
  url: string;
  token: string;
  file: string;
  output: string[];
  /** Calls the API directly. */
  api(method: string, path: string, body?: unknown): Promise<unknown>;
}

async function drain(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) into.push(chunk);
}

async function startBackscrub(home: Home): Promise<Running> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      join(ROOT, "main.ts"),
      "-c",
      PICTURE,
      "--loop",
      "-v",
      "null",
      "--vg",
      "320x240",
      "--http",
      "127.0.0.1:0",
    ],
    cwd: ROOT,
    env: home.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  drain(child.stdout, output).catch(() => {});
  drain(child.stderr, output).catch(() => {});
  const file = join(home.runtime, `${child.pid}.json`);
  for (let i = 0;; i++) {
    try {
      const data = JSON.parse(await Deno.readTextFile(file));
      if (typeof data.url === "string" && typeof data.token === "string") {
        const { url, token } = data as { url: string; token: string };
        const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
          const res = await fetch(new URL(path, url), {
            method,
            headers: { authorization: `Bearer ${token}` },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
          const value = await res.json();
          assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(value)}`);
          return value;
        };
        // Ready when frames go through and the first second's figures are in.
        for (let j = 0;; j++) {
          const status = await api("GET", "/api/status") as { frames?: number; fps?: unknown };
          if ((status.frames ?? 0) > 2 && typeof status.fps === "number") break;
          if (j > 300) throw new Error("no frames after 30 s");
          await new Promise((r) => setTimeout(r, 100));
        }
        return { child, url, token, file, output, api };
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof SyntaxError)) throw e;
    }
    if (i > 600) {
      child.kill("SIGTERM");
      throw new Error(`no runtime file ${file} after 60 s:\n${output.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(run: Running): Promise<void> {
  try {
    run.child.kill("SIGTERM");
  } catch { /* already gone */ }
  await run.child.status;
}

/** The `key value` lines of `ctl get` as an object of texts. */
function lines(text: string): Record<string, string> {
  return Object.fromEntries(
    text.trim().split("\n").map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      return m ? [m[1]!, m[2]!] : [l, ""];
    }),
  );
}

function oneLine(stderr: string): string {
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  assert.equal(stderr.trim().split("\n").length, 1, `one line: ${stderr}`);
  return stderr.trim();
}

Deno.test("backscrub ctl with none running says so in one line and exits 1", async () => {
  const home = await makeHome();
  try {
    const none = await ctl(home, ["status"]);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, "");
    assert.equal(oneLine(none.stderr), NOT_RUNNING);
    // A file left by a backscrub that died is ignored and removed.
    await Deno.mkdir(home.runtime, { mode: 0o700 });
    const stale = join(home.runtime, `${DEAD_PID}.json`);
    await Deno.writeTextFile(
      stale,
      JSON.stringify({ url: "http://127.0.0.1:1/", token: "x", pid: DEAD_PID }),
      { mode: 0o600 },
    );
    const ignored = await ctl(home, ["get"]);
    assert.equal(ignored.code, 1);
    assert.equal(oneLine(ignored.stderr), NOT_RUNNING);
    await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  } finally {
    await Deno.remove(home.dir, { recursive: true });
  }
});

Deno.test("backscrub ctl drives a running backscrub: status, get, set, upload, save, backgrounds", async (t) => {
  const home = await makeHome();
  await Deno.writeTextFile(
    home.config,
    JSON.stringify({ "//": "my camera settings", background: "blur", mirror: false }, null, 2),
  );
  const run = await startBackscrub(home);
  try {
    await t.step("status summarises the running instance", async () => {
      const r = await ctl(home, ["status"]);
      assert.equal(r.code, 0, r.stderr);
      const s = lines(r.stdout);
      assert.match(s.camera!, /\/astronaut\.png .*looped/);
      assert.match(s.virtual!, /^camera +null: /);
      assert.match(s.panel!, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
      for (
        const key of ["virtual", "fps", "model", "stage", "cpu", "paused", "privacy", "framing"]
      ) {
        assert.ok(key in s, `status shows ${key}:\n${r.stdout}`);
      }
      assert.match(s.fps!, /^\d+\.\d$/);
      assert.equal(s.privacy, "off");
      assert.equal(s.framing, "off");
      const json = await ctl(home, ["status", "--json"]);
      const status = JSON.parse(json.stdout) as Record<string, unknown>;
      assert.equal(typeof status.fps, "number");
      assert.equal(status.privacy, false);
    });

    await t.step("get prints every setting as key value, or one", async () => {
      const r = await ctl(home, ["get"]);
      assert.equal(r.code, 0, r.stderr);
      const s = lines(r.stdout);
      assert.equal(s.background, "blur");
      assert.equal(s.mirror, "off");
      assert.equal(s.fps, "camera");
      assert.equal(s.model, "landscape");
      const one = await ctl(home, ["get", "mirror"]);
      assert.equal(one.stdout.trim(), "mirror  off");
      const json = await ctl(home, ["get", "--json"]);
      assert.deepEqual(JSON.parse(json.stdout), await run.api("GET", "/api/settings"));
    });

    await t.step("set types each kind of value; get and the API then show it", async () => {
      const cases: [string[], string, string, unknown][] = [
        // ctl args, key, what get prints, the API's value
        [["blur", "30"], "background", "blur:30", "blur:30"],
        [["mirror", "on"], "mirror", "on", true],
        [["flip", "true"], "flip", "on", true],
        [["privacy", "on"], "privacy", "on", true],
        [["background", "#3366cc"], "background", "#3366cc", "#3366cc"],
        [["background", "studio.png"], "background", "studio.png", "studio.png"],
        [["fps", "15"], "fps", "15", 15],
        [["fps", "camera"], "fps", "camera", null],
        [["despill", "green"], "despill", "green", "green"],
        [["despill", "off"], "despill", "off", null],
        [["tighten", "0.2,0.8"], "tighten", "0.2,0.8", [0.2, 0.8]],
        [["smooth", "0.5"], "smooth", "0.5", 0.5],
        [["threshold", "0.6"], "threshold", "0.6", 0.6],
        [["threshold", "off"], "threshold", "off", null],
        [["light-wrap", "0.1"], "light-wrap", "0.1", 0.1],
        [["model", "selfie"], "model", "selfie", "selfie"],
        [["frame", "auto"], "frame", "auto", "auto"],
        [["frame-zoom", "2"], "frame-zoom", "2", 2],
        [["frame", "off"], "frame", "off", "off"],
        [["frame", "on", "frame-zoom", "1.6"], "frame", "auto", "auto"],
        [["privacy", "off", "mirror", "false"], "mirror", "off", false],
      ];
      for (const [args, key, shown, value] of cases) {
        const r = await ctl(home, ["set", ...args]);
        assert.equal(r.code, 0, `set ${args.join(" ")}: ${r.stderr}`);
        assert.equal(lines(r.stdout)[key], shown, `set ${args.join(" ")} prints:\n${r.stdout}`);
        const got = await ctl(home, ["get", key]);
        assert.equal(lines(got.stdout)[key], shown, `get ${key} after set ${args.join(" ")}`);
        const settings = await run.api("GET", "/api/settings") as Record<string, unknown>;
        assert.deepEqual(settings[key], value, `the API's ${key} after set ${args.join(" ")}`);
      }
      const settings = await run.api("GET", "/api/settings") as Record<string, unknown>;
      assert.equal(settings.privacy, false, "both pairs of one set applied");
      assert.equal(settings["frame-zoom"], 1.6, "both pairs of one set applied");
      const status = lines((await ctl(home, ["status"])).stdout);
      assert.equal(status.framing, "auto: following the person, zooming in at most 1.6x");
      const off = await ctl(home, ["set", "frame", "off"]);
      assert.equal(off.code, 0, off.stderr);
    });

    await t.step("set background FILE uploads a local file and uses it", async () => {
      const cwd = join(home.dir, "pictures");
      await Deno.mkdir(cwd);
      await Deno.copyFile(UPLOAD, join(cwd, "grace.png"));
      const r = await ctl(home, ["set", "background", "grace.png"], cwd);
      assert.equal(r.code, 0, r.stderr);
      const m = /^uploaded grace\.png as (\S+)$/m.exec(r.stdout);
      assert.ok(m, `the upload is reported:\n${r.stdout}`);
      const name = m[1]!;
      assert.doesNotMatch(name, /\//);
      assert.equal(lines(r.stdout.replace(/^uploaded .*\n/m, "")).background, name);
      const list = await run.api("GET", "/api/backgrounds") as {
        backgrounds: { name: string; source: string }[];
      };
      assert.deepEqual(
        list.backgrounds.filter((b) => b.name === name).map((b) => b.source),
        ["uploaded"],
      );
      const settings = await run.api("GET", "/api/settings") as Record<string, unknown>;
      assert.equal(settings.background, name);
    });

    await t.step("a value the server refuses: its line, exit 2, nothing changed", async () => {
      const before = await run.api("GET", "/api/settings");
      for (
        const args of [
          ["blur", "500"],
          ["model", "no-such-model"],
          ["mirror", "maybe"],
          ["frame", "tight"],
          ["frame-zoom", "9"],
        ]
      ) {
        const r = await ctl(home, ["set", ...args, "flip", "off"]);
        assert.equal(r.code, 2, `set ${args.join(" ")}`);
        assert.equal(r.stdout, "");
        assert.match(oneLine(r.stderr), /^backscrub ctl: \S/);
      }
      assert.deepEqual(await run.api("GET", "/api/settings"), before);
      const unknown = await ctl(home, ["set", "colour-depth", "10"]);
      assert.equal(unknown.code, 2);
      oneLine(unknown.stderr);
    });

    await t.step("save writes the settings file and keeps its // keys", async () => {
      await ctl(home, ["set", "background", "#00ff00", "mirror", "on"]);
      const r = await ctl(home, ["save"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `settings saved to ${home.config}`);
      const saved = JSON.parse(await Deno.readTextFile(home.config)) as Record<string, unknown>;
      assert.equal(saved["//"], "my camera settings");
      assert.equal(saved.background, "#00ff00");
      assert.equal(saved.mirror, true);
    });

    await t.step("backgrounds lists names, kinds, sources and models", async () => {
      const r = await ctl(home, ["backgrounds"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ {2}studio\.png\s+image\s+bundled$/m);
      assert.match(r.stdout, /^ {2}upload-\S+\s+image\s+uploaded/m);
      assert.match(r.stdout, /^models: .*landscape.*selfie/m);
      const json = JSON.parse((await ctl(home, ["backgrounds", "--json"])).stdout);
      assert.deepEqual(json, await run.api("GET", "/api/backgrounds"));
    });

    await t.step("a stale file beside the live one is ignored and removed", async () => {
      const stale = join(home.runtime, `${DEAD_PID}.json`);
      await Deno.writeTextFile(
        stale,
        JSON.stringify({
          url: "http://127.0.0.1:1/",
          token: "x",
          pid: DEAD_PID,
          started: "2099-01-01T00:00:00Z",
        }),
        { mode: 0o600 },
      );
      const r = await ctl(home, ["status"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
    });

    await t.step("a runtime file others can read is refused", async () => {
      const other = await makeHome();
      try {
        await Deno.mkdir(other.runtime, { mode: 0o700 });
        const copy = join(other.runtime, `${run.child.pid}.json`);
        await Deno.copyFile(run.file, copy);
        await Deno.chmod(copy, 0o644);
        const r = await ctl(other, ["status"]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(
          oneLine(r.stderr),
          `backscrub ctl: Refusing "${copy}": mode 0644, it must be 0600 (it holds the token)`,
        );
      } finally {
        await Deno.remove(other.dir, { recursive: true });
      }
    });

    await t.step("the runtime file is 0600 in a 0700 folder", async () => {
      assert.equal((await Deno.stat(run.file)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(home.runtime)).mode! & 0o777, 0o700);
    });

    await t.step("once it exits: its file is gone and ctl says none is running", async () => {
      await stop(run);
      await assert.rejects(Deno.stat(run.file), Deno.errors.NotFound);
      const r = await ctl(home, ["status"]);
      assert.equal(r.code, 1);
      assert.equal(oneLine(r.stderr), NOT_RUNNING);
    });
  } finally {
    await stop(run);
    await Deno.remove(home.dir, { recursive: true });
  }
});

Deno.test("backscrub ctl: an instance that does not answer is one line, exit 1", async () => {
  const home = await makeHome();
  try {
    // A live pid (this test) whose address nobody listens on: it has just exited, say.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await Deno.mkdir(home.runtime, { mode: 0o700 });
    await Deno.writeTextFile(
      join(home.runtime, `${Deno.pid}.json`),
      JSON.stringify({ url: `http://127.0.0.1:${port}/`, token: "x", pid: Deno.pid }),
      { mode: 0o600 },
    );
    const r = await ctl(home, ["set", "blur", "20"]);
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr),
      `backscrub ctl: cannot reach backscrub (pid ${Deno.pid}) at http://127.0.0.1:${port}/: ` +
        "connection refused (it may have just exited)",
    );
  } finally {
    await Deno.remove(home.dir, { recursive: true });
  }
});
