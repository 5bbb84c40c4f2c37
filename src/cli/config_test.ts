import assert from "node:assert/strict";
import { join } from "node:path";
import { parseLiveOptions } from "./options.ts";
import {
  applyConfig,
  configArgs,
  ConfigError,
  defaultConfigPath,
  readConfig,
  saveConfig,
  type SavedSettings,
} from "./config.ts";

async function withConfig<T>(
  text: string,
  fn: (path: string, dir: string) => T | Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "config.json");
    await Deno.writeTextFile(path, text);
    return await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("configArgs() turns every kind of setting into long options", () => {
  const args = configArgs(
    {
      "//": "a comment",
      capture: "video2",
      virtual: "/dev/video10",
      background: "studio.png",
      model: "selfie",
      mirror: true,
      flip: false,
      cg: "1280x720",
      vg: "640x360",
      format: "MJPG",
      "out-format": "NV12",
      fps: 30,
      threads: 2,
      threshold: 0.5,
      debug: true,
      "ort-lib": "/opt/ort/libonnxruntime.so.1",
    },
    "c.json",
    parseLiveOptions,
  );
  assert.deepEqual(args, [
    "--capture=video2",
    "--virtual=/dev/video10",
    "--background=studio.png",
    "--model=selfie",
    "--mirror",
    "--cg=1280x720",
    "--vg=640x360",
    "--format=MJPG",
    "--out-format=NV12",
    "--fps=30",
    "--threads=2",
    "--threshold=0.5",
    "--debug",
    "--ort-lib=/opt/ort/libonnxruntime.so.1",
  ]);
  const o = parseLiveOptions(args);
  assert.equal(o.capture, "video2");
  assert.equal(o.mirror, true);
  assert.equal(o.flip, false);
  assert.deepEqual(o.captureSize, { width: 1280, height: 720 });
  assert.equal(o.format, "MJPG");
  assert.equal(o.outputFormat, "NV12");
  assert.equal(o.threads, 2);
  assert.equal(o.debug, 1);
  assert.deepEqual(
    configArgs(
      { upsample: "bilateral", smooth: 0.5, tighten: "0.2,0.8", "light-wrap": 0, despill: "green" },
      "c.json",
      parseLiveOptions,
    ),
    [
      "--upsample=bilateral",
      "--smooth=0.5",
      "--tighten=0.2,0.8",
      "--light-wrap=0",
      "--despill=green",
    ],
  );
  assert.deepEqual(configArgs({ blur: 20 }, "c.json", parseLiveOptions), ["--blur", "20"]);
  assert.deepEqual(
    configArgs({ frame: "auto", "frame-zoom": 2.5 }, "c.json", parseLiveOptions),
    ["--frame=auto", "--frame-zoom=2.5"],
  );
  assert.deepEqual(configArgs({ blur: true }, "c.json", parseLiveOptions), ["--blur"]);
  assert.equal(
    parseLiveOptions(configArgs({ blur: 20 }, "c", parseLiveOptions)).background,
    "blur:20",
  );
});

Deno.test("configArgs() reads frame as auto/off or true/false, and frame-zoom as a number", () => {
  const options = (config: Record<string, unknown>) =>
    parseLiveOptions(configArgs(config, "c.json", parseLiveOptions));
  assert.equal(options({}).frame, "off");
  assert.equal(options({}).frameZoom, 1.6);
  assert.equal(options({ frame: "auto" }).frame, "auto");
  assert.equal(options({ frame: "off" }).frame, "off");
  assert.equal(options({ frame: true }).frame, "auto");
  assert.equal(options({ frame: false }).frame, "off");
  assert.deepEqual(configArgs({ frame: false }, "c.json", parseLiveOptions), []);
  assert.equal(options({ frame: "auto", "frame-zoom": 3 }).frameZoom, 3);
  assert.equal(options({ "frame-zoom": 1 }).frameZoom, 1);
});

Deno.test("configArgs() names the file and the key in one line for every mistake", () => {
  const bad = (config: unknown, message: RegExp): void => {
    assert.throws(
      () => configArgs(config, "/home/u/.config/backscrub/config.json", parseLiveOptions),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, message);
        assert.ok(!e.message.includes("\n"), e.message);
        return true;
      },
    );
  };
  const file = '"/home/u/.config/backscrub/config.json"';
  bad([1, 2], /^Invalid config file ".*": it must hold one JSON object/);
  bad("blur", /^Invalid config file/);
  bad({ fps: "30" }, new RegExp(`^Invalid "fps" in config file ${file}: use a number, got "30"$`));
  bad(
    { fps: 1000 },
    new RegExp(
      `^Invalid "fps" in config file ${file}: use a whole number from 1 to 240, got 1000$`,
    ),
  );
  bad({ mirror: "yes" }, /^Invalid "mirror" in config file .*: use true or false, got "yes"$/);
  bad(
    { cg: "big" },
    /^Invalid "cg" in config file .*: use WIDTHxHEIGHT, even sizes from 16x16 to 7680x4320.*, got "big"$/,
  );
  bad({ blur: "soft" }, /^Invalid "blur" in .*: use true or a strength from 1 to 100, got "soft"$/);
  bad({ threshold: 2 }, /^Invalid "threshold" .*: use a number between 0 and 1.*, got 2$/);
  bad(
    { "out-format": "RGB" },
    /^Invalid "out-format" .*: use YUYV, I420, NV12 or MJPG, got "RGB"$/,
  );
  bad(
    { camera: "/dev/video0" },
    /^Unknown key "camera" in config file .*: use the long option names of backscrub --help \(capture, virtual, /,
  );
  bad({ capture: { path: "x" } }, /^Invalid "capture" .*: use a string, got \{"path":"x"\}$/);
  bad({ frame: "zoom" }, /^Invalid "frame" in config file .*: use auto or off, got "zoom"$/);
  bad({ frame: 1 }, /^Invalid "frame" .*: use "auto" or "off" \(or true or false\), got 1$/);
  bad(
    { "frame-zoom": 5 },
    /^Invalid "frame-zoom" in config file .*: use a number from 1 to 4, e\.g\. 1\.6, got 5$/,
  );
  bad({ "frame-zoom": "2" }, /^Invalid "frame-zoom" .*: use a number, got "2"$/);
  bad(
    { background: "studio.png", color: "#000000" },
    /^Invalid config file ".*": Choose one background: got "studio.png" and "#000000"$/,
  );
});

Deno.test("readConfig() reports a missing file and bad JSON with the file's name", async () => {
  assert.throws(() => readConfig("/nonexistent/backscrub.json", parseLiveOptions), {
    name: "ConfigError",
    message: 'Cannot read config file "/nonexistent/backscrub.json": no such file',
  });
  await withConfig('{"capture": "video0",\n  "mirror": true,\n}', (path) => {
    assert.throws(() => readConfig(path, parseLiveOptions), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.ok(e.message.startsWith(`Cannot read config file "${path}": `), e.message);
      assert.match(e.message, /JSON/);
      return true;
    });
  });
});

Deno.test("readConfig() accepts a file that starts with a UTF-8 byte-order mark", async () => {
  await withConfig('\uFEFF{"mirror": true, "background": "#00ff00"}', (path) => {
    assert.deepEqual(readConfig(path, parseLiveOptions), ["--mirror", "--background=#00ff00"]);
  });
});

Deno.test("applyConfig() puts the file first so that flags override it", async () => {
  await withConfig(
    JSON.stringify({ capture: "video2", background: "studio.png", mirror: true, fps: 15 }),
    (path) => {
      const applied = applyConfig(
        ["--config", path, "-c", "video4", "--fps", "30"],
        parseLiveOptions,
      );
      assert.equal(applied.path, path);
      assert.equal(applied.settings, 4);
      const o = parseLiveOptions(applied.args);
      assert.equal(o.capture, "video4", "the flag wins");
      assert.equal(o.fps, 30);
      assert.equal(o.background, "studio.png", "kept from the file");
      assert.equal(o.mirror, true);
      // A background chosen on the command line replaces the file's, in every spelling.
      for (
        const flags of [["--blur", "20"], ["-b", "off"], ["--color=#00ff00"], ["-Hb", "x.png"], [
          "-p",
          "bgblur:3",
        ]]
      ) {
        const a = applyConfig([`--config=${path}`, ...flags], parseLiveOptions);
        assert.notEqual(parseLiveOptions(a.args).background, "studio.png", flags.join(" "));
      }
      // --no-config ignores the file.
      const none = applyConfig(["--config", path, "--no-config", "-H"], parseLiveOptions);
      assert.deepEqual(none, { args: ["-H"], path: null, settings: 0 });
    },
  );
});

Deno.test("applyConfig() reads the default file only when it exists, and --config must exist", async () => {
  await withConfig('{"mirror": true}', (path, dir) => {
    assert.deepEqual(applyConfig([], parseLiveOptions, path).args, ["--mirror"]);
    const missing = join(dir, "nope.json");
    assert.deepEqual(applyConfig(["-V"], parseLiveOptions, missing), {
      args: ["-V"],
      path: null,
      settings: 0,
    });
    assert.throws(() => applyConfig(["--config", missing], parseLiveOptions, path), {
      name: "ConfigError",
      message: `Cannot read config file "${missing}": no such file`,
    });
    assert.throws(() => applyConfig(["--config"], parseLiveOptions), /--config needs a file/);
  });
});

Deno.test("defaultConfigPath() follows XDG_CONFIG_HOME, else ~/.config", () => {
  const saved = { xdg: Deno.env.get("XDG_CONFIG_HOME"), home: Deno.env.get("HOME") };
  try {
    Deno.env.set("XDG_CONFIG_HOME", "/x/conf");
    assert.equal(defaultConfigPath(), "/x/conf/backscrub/config.json");
    Deno.env.delete("XDG_CONFIG_HOME");
    Deno.env.set("HOME", "/home/ann");
    assert.equal(defaultConfigPath(), "/home/ann/.config/backscrub/config.json");
  } finally {
    for (const [k, v] of [["XDG_CONFIG_HOME", saved.xdg], ["HOME", saved.home]] as const) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
});

Deno.test("packaging/config.example.json is a valid settings file", () => {
  const path = new URL("../../packaging/config.example.json", import.meta.url).pathname;
  const args = readConfig(path, parseLiveOptions);
  assert.ok(args.length > 0);
  parseLiveOptions(args);
});

/** What the control API hands "Save as default": every key of the settings in force. */
const SAVED: SavedSettings = {
  background: "studio.png",
  model: "landscape",
  mirror: true,
  flip: false,
  threshold: null,
  upsample: "guided",
  smooth: 0.8,
  tighten: [0.25, 0.75],
  "light-wrap": null,
  despill: null,
  fps: null,
  frame: "auto",
  "frame-zoom": 2.5,
};

Deno.test("saveConfig() writes frame and frame-zoom, and the file reads back to the same settings", async () => {
  await withConfig('{"// mine": "kept", "blur": 20, "threads": 2}', (path) => {
    const saved = saveConfig(path, SAVED);
    assert.equal(saved.frame, "auto");
    assert.equal(saved["frame-zoom"], 2.5);
    const file = JSON.parse(Deno.readTextFileSync(path));
    assert.equal(file["// mine"], "kept");
    assert.equal(file.threads, 2);
    assert.equal(file.blur, undefined, "the background replaces blur");
    assert.equal(file.frame, "auto");
    assert.equal(file["frame-zoom"], 2.5);
    const o = parseLiveOptions(readConfig(path, parseLiveOptions));
    assert.equal(o.frame, "auto");
    assert.equal(o.frameZoom, 2.5);
    assert.equal(o.background, "studio.png");
    assert.equal(o.mirror, true);

    saveConfig(path, { ...SAVED, frame: "off", "frame-zoom": 1.6 });
    const off = parseLiveOptions(readConfig(path, parseLiveOptions));
    assert.equal(off.frame, "off");
    assert.equal(off.frameZoom, 1.6);
  });
});
