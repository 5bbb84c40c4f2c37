import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ctlCommand,
  findInstances,
  formatBackgrounds,
  formatSettings,
  formatStatus,
  formatValue,
  localBackgroundFile,
  parseCtlArgs,
  settingValue,
} from "./ctl.ts";
import { UsageError } from "./errors.ts";

/** A pid that cannot be running (above Linux's largest pid_max). */
const DEAD_PID = 2147483000;

Deno.test("parseCtlArgs() takes options anywhere and a set value as a value even with a dash", () => {
  assert.deepEqual(parseCtlArgs(["--pid", "42", "set", "blur", "30"]), {
    command: "set",
    operands: ["blur", "30"],
    pid: 42,
    json: false,
    help: false,
  });
  assert.deepEqual(parseCtlArgs(["get", "fps", "--json", "--pid=7"]), {
    command: "get",
    operands: ["fps"],
    pid: 7,
    json: true,
    help: false,
  });
  assert.deepEqual(parseCtlArgs(["set", "threshold", "-1", "mirror", "on"]).operands, [
    "threshold",
    "-1",
    "mirror",
    "on",
  ]);
  assert.deepEqual(parseCtlArgs(["set", "--", "background", "-odd.png"]).operands, [
    "background",
    "-odd.png",
  ]);
  assert.equal(parseCtlArgs(["--help"]).help, true);
  assert.equal(parseCtlArgs(["set", "-h"]).help, true);
});

Deno.test("parseCtlArgs() refuses what cannot run, in one line each", () => {
  const cases: [string[], RegExp][] = [
    [[], /^ctl needs a command: status, get, set, save or backgrounds$/],
    [["start"], /^Unknown ctl command "start"/],
    [["--verbose", "status"], /^Unknown option "--verbose"$/],
    [["set"], /^set needs a setting and its value, e\.g\. backscrub ctl set blur 30$/],
    [["set", "blur", "30", "mirror"], /^set needs a value for "mirror"/],
    [["get", "blur", "fps"], /^get takes at most one setting, got 2$/],
    [["status", "now"], /^status takes no arguments, got "now"$/],
    [["--pid", "abc", "status"], /^Invalid --pid "abc"/],
    [["status", "--pid"], /^--pid needs a process id/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseCtlArgs(args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("settingValue() types values like the command line and leaves the rest to the server", () => {
  assert.equal(settingValue("mirror", "on"), true);
  assert.equal(settingValue("mirror", "OFF"), false);
  assert.equal(settingValue("flip", "true"), true);
  assert.equal(settingValue("privacy", "no"), false);
  assert.equal(settingValue("privacy", "maybe"), "maybe");
  assert.equal(settingValue("blur", "30"), 30);
  assert.equal(settingValue("blur", "on"), true);
  assert.equal(settingValue("fps", "15"), 15);
  assert.equal(settingValue("fps", "camera"), null);
  assert.equal(settingValue("fps", "fast"), "fast");
  assert.equal(settingValue("threshold", "off"), null);
  assert.equal(settingValue("threshold", ".5"), 0.5);
  assert.equal(settingValue("light-wrap", "auto"), null);
  assert.equal(settingValue("smooth", "0.6"), 0.6);
  assert.equal(settingValue("tighten", "0.2,0.8"), "0.2,0.8");
  assert.equal(settingValue("despill", "off"), "off");
  assert.equal(settingValue("background", "#3366cc"), "#3366cc");
  assert.equal(settingValue("background", "studio.png"), "studio.png");
  assert.equal(settingValue("model", "selfie"), "selfie");
  assert.equal(settingValue("frame", "auto"), "auto");
  assert.equal(settingValue("frame", "On"), "auto");
  assert.equal(settingValue("frame", "off"), "off");
  assert.equal(settingValue("frame", "no"), "off");
  assert.equal(settingValue("frame", "tight"), "tight");
  assert.equal(settingValue("frame-zoom", "2"), 2);
  assert.equal(settingValue("frame-zoom", "1.6"), 1.6);
  assert.equal(settingValue("frame-zoom", "max"), "max");
});

Deno.test("formatValue() prints what set takes back", () => {
  const settings = {
    background: "blur:40",
    model: "landscape",
    mirror: false,
    flip: true,
    threshold: null,
    upsample: "guided",
    smooth: 0.6,
    tighten: [0.25, 0.75],
    "light-wrap": null,
    despill: null,
    fps: null,
    privacy: false,
    frame: "auto",
    "frame-zoom": 1.6,
  };
  assert.deepEqual(formatSettings(settings), [
    "background  blur:40",
    "model       landscape",
    "mirror      off",
    "flip        on",
    "threshold   off",
    "upsample    guided",
    "smooth      0.6",
    "tighten     0.25,0.75",
    "light-wrap  auto",
    "despill     off",
    "fps         camera",
    "privacy     off",
    "frame       auto",
    "frame-zoom  1.6",
  ]);
  assert.deepEqual(formatSettings(settings, ["fps"]), ["fps  camera"]);
  for (const [key, value] of Object.entries(settings)) {
    const back = settingValue(key, formatValue(key, value));
    if (key === "tighten" || key === "despill") continue; // sent as "LO,HI" / "off": the API's words
    assert.deepEqual(back, value, key);
  }
});

Deno.test("formatStatus() summarises the status object and skips stages that did not run", () => {
  const lines = formatStatus({
    camera: { device: "/dev/video0", description: "Integrated Camera", paused: false },
    virtual: { device: "/dev/video10", description: "VirtualCam", readers: 1 },
    fps: 29.94,
    modelFps: 9.8,
    frames: 1234,
    stages: { grab: 0.4, decode: 2.1, infer: 9.5, convert: null },
    cpu: 23.5,
    paused: true,
    privacy: true,
    background: "blur:40",
    frame: "auto",
    "frame-zoom": 2.5,
    uptime: 61.2,
  });
  assert.deepEqual(lines, [
    "camera          /dev/video0 (Integrated Camera)",
    "virtual camera  /dev/video10 (VirtualCam), 1 reader",
    "fps             29.9",
    "model fps       9.8",
    "stage ms        grab 0.4, decode 2.1, infer 9.5",
    "cpu             24 % of one core",
    "paused          yes: no program is reading the virtual camera",
    "privacy         on: the background alone is sent",
    "framing         auto: following the person, zooming in at most 2.5x",
    "background      blur:40",
    "frames          1234 in 1 min 1 s",
  ]);
  // A status with fields missing still prints, with dashes.
  assert.ok(formatStatus({}).includes("fps             -"));
  assert.ok(!formatStatus({}).some((l) => l.startsWith("framing")), "no frame: no framing row");
  assert.ok(formatStatus({ frame: "off", "frame-zoom": 1.6 }).includes("framing         off"));
  // A camera that is away says so, and why.
  const away = formatStatus({
    camera: {
      device: "/dev/video0",
      description: "/dev/video0 (vivid) 640x480 YUYV 30 fps",
      paused: false,
      state: "lost",
      problem: 'Cannot find the camera "vivid" (platform:vivid-000): it is not connected',
    },
  });
  assert.equal(
    away[1],
    'camera state    lost: Cannot find the camera "vivid" (platform:vivid-000): it is not connected',
  );
  assert.ok(
    !formatStatus({ camera: { state: "streaming" } }).some((l) => l.startsWith("camera state")),
  );
});

Deno.test("formatBackgrounds() lists names, kinds, sources and the models", () => {
  assert.deepEqual(
    formatBackgrounds({
      backgrounds: [
        { name: "studio.png", kind: "image", source: "bundled" },
        { name: "upload-1a2b3c4d.jpg", kind: "image", source: "uploaded", label: "beach.jpg" },
      ],
      models: ["landscape", "selfie"],
    }),
    [
      "backgrounds:",
      "  studio.png           image  bundled",
      "  upload-1a2b3c4d.jpg  image  uploaded (beach.jpg)",
      "models: landscape, selfie",
    ],
  );
});

Deno.test("localBackgroundFile() finds files here, never for the server's own words", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "beach.jpg"), new Uint8Array([1]));
    await Deno.writeFile(join(dir, "blur:30"), new Uint8Array([1]));
    await Deno.mkdir(join(dir, "folder"));
    assert.equal(await localBackgroundFile("beach.jpg", dir), join(dir, "beach.jpg"));
    assert.equal(await localBackgroundFile(join(dir, "beach.jpg"), "/"), join(dir, "beach.jpg"));
    assert.equal(await localBackgroundFile("blur:30", dir), null);
    assert.equal(await localBackgroundFile("studio.png", dir), null);
    assert.equal(await localBackgroundFile("folder", dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A runtime folder with files written by `files` (name → content, mode). */
async function withRuntime<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeRuntime(
  dir: string,
  pid: number,
  content: Record<string, unknown>,
  mode = 0o600,
): Promise<string> {
  const file = join(dir, `${pid}.json`);
  await Deno.writeTextFile(file, JSON.stringify({ pid, ...content }));
  await Deno.chmod(file, mode);
  return file;
}

Deno.test("findInstances() deletes stale files, refuses loose ones, puts the newest first", async () => {
  await withRuntime(async (dir) => {
    assert.deepEqual(findInstances(join(dir, "missing")), { live: [], refused: [] });
    const stale = await writeRuntime(dir, DEAD_PID, { url: "http://127.0.0.1:1/", token: "t" });
    const own = await writeRuntime(dir, Deno.pid, {
      url: "http://127.0.0.1:2/",
      token: "t",
      started: "2030-01-01T00:00:00.000Z",
    });
    await writeRuntime(dir, Deno.ppid, { url: "http://127.0.0.1:3/", token: "t" }, 0o644);
    await Deno.writeTextFile(join(dir, "notes.txt"), "not a runtime file");
    const found = findInstances(dir);
    assert.deepEqual(found.live.map((i) => i.file), [own]);
    assert.equal(found.live[0]!.url, "http://127.0.0.1:2/");
    assert.deepEqual(found.refused, [
      `Refusing "${
        join(dir, `${Deno.ppid}.json`)
      }": mode 0644, it must be 0600 (it holds the token)`,
    ]);
    await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  });
});

/** A stand-in for backscrub's API that records each request. */
function fakeServer(token: string) {
  const requests: {
    method: string;
    path: string;
    body: string;
    bytes: Uint8Array;
    headers: Headers;
  }[] = [];
  let settings: Record<string, unknown> = {
    background: "blur:40",
    mirror: false,
    fps: null,
    tighten: [0.25, 0.75],
    privacy: false,
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const bytes = new Uint8Array(await req.arrayBuffer());
    const body = new TextDecoder().decode(bytes);
    requests.push({ method: req.method, path: url.pathname, body, bytes, headers: req.headers });
    const reply = (status: number, value: unknown) => Response.json(value, { status });
    if (req.headers.get("authorization") !== `Bearer ${token}`) {
      return reply(401, { error: "Missing or wrong token" });
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /api/status") return reply(200, { fps: 30, privacy: false });
    if (route === "GET /api/settings") return reply(200, settings);
    if (route === "PATCH /api/settings") {
      const patch = JSON.parse(body) as Record<string, unknown>;
      if (patch.blur === 500) return reply(400, { error: 'Invalid "blur": use 1 to 100, got 500' });
      const { blur, ...rest } = patch;
      settings = {
        ...settings,
        ...rest,
        ...(blur !== undefined ? { background: `blur:${blur}` } : {}),
      };
      return reply(200, settings);
    }
    if (route === "POST /api/backgrounds") {
      return reply(201, { name: "upload-00000001.png", kind: "image", source: "uploaded" });
    }
    if (route === "POST /api/settings/save") {
      return reply(200, { path: "/home/u/.config/backscrub/config.json", saved: settings });
    }
    return reply(404, { error: "Not found" });
  });
  return { server, requests, url: `http://127.0.0.1:${server.addr.port}/` };
}

async function ctl(
  runtimeDir: string,
  args: string[],
  cwd = runtimeDir,
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlCommand(args, {
    runtimeDir,
    cwd,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

Deno.test("ctlCommand() says in one line when no backscrub is running", async () => {
  await withRuntime(async (dir) => {
    assert.deepEqual(await ctl(dir, ["status"]), {
      code: 1,
      out: [],
      err: ["backscrub ctl: no backscrub is running (start it with: backscrub)"],
    });
    await writeRuntime(dir, Deno.pid, { url: "http://127.0.0.1:1/", token: "t" }, 0o640);
    const refused = await ctl(dir, ["status"]);
    assert.equal(refused.code, 1);
    assert.match(refused.err[0]!, /^backscrub ctl: Refusing ".*": mode 0640, it must be 0600/);
    const wrongPid = await ctl(dir, ["--pid", String(DEAD_PID), "status"]);
    assert.deepEqual(wrongPid.err, [
      `backscrub ctl: no backscrub with pid ${DEAD_PID} is running (start it with: backscrub)`,
    ]);
  });
});

Deno.test("ctlCommand() reports a refused connection in one line", async () => {
  await withRuntime(async (dir) => {
    // A port nobody listens on: bind one, then close it.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await writeRuntime(dir, Deno.pid, { url: `http://127.0.0.1:${port}/`, token: "t" });
    assert.deepEqual(await ctl(dir, ["get"]), {
      code: 1,
      out: [],
      err: [
        `backscrub ctl: cannot reach backscrub (pid ${Deno.pid}) at http://127.0.0.1:${port}/: ` +
        "connection refused (it may have just exited)",
      ],
    });
  });
});

Deno.test("ctlCommand() sends typed settings, uploads local files and prints the server's refusals", async () => {
  const fake = fakeServer("secret");
  try {
    await withRuntime(async (dir) => {
      await writeRuntime(dir, Deno.pid, { url: fake.url, token: "secret" });
      const set = await ctl(dir, ["set", "blur", "30", "mirror", "on", "fps", "camera"]);
      assert.deepEqual(set, {
        code: 0,
        out: ["background  blur:30", "mirror      on", "fps         camera"],
        err: [],
      });
      assert.deepEqual(JSON.parse(fake.requests.at(-1)!.body), {
        blur: 30,
        mirror: true,
        fps: null,
      });
      const framing = await ctl(dir, ["set", "frame", "auto", "frame-zoom", "2"]);
      assert.deepEqual(framing.out, ["frame       auto", "frame-zoom  2"]);
      assert.deepEqual(JSON.parse(fake.requests.at(-1)!.body), { frame: "auto", "frame-zoom": 2 });
      assert.deepEqual((await ctl(dir, ["get", "frame"])).out, ["frame  auto"]);

      await Deno.writeFile(join(dir, "beach ü.png"), new Uint8Array([137, 80, 78, 71]));
      const upload = await ctl(dir, ["set", "background", "beach ü.png"]);
      assert.deepEqual(upload.out, [
        "uploaded beach ü.png as upload-00000001.png",
        "background  upload-00000001.png",
      ]);
      const [post, patch] = fake.requests.slice(-2);
      assert.equal(post!.path, "/api/backgrounds");
      assert.equal(post!.headers.get("x-filename"), encodeURIComponent("beach ü.png"));
      assert.deepEqual(post!.bytes, new Uint8Array([137, 80, 78, 71]));
      assert.deepEqual(JSON.parse(patch!.body), { background: "upload-00000001.png" });

      assert.deepEqual(await ctl(dir, ["set", "blur", "500"]), {
        code: 2,
        out: [],
        err: ['backscrub ctl: Invalid "blur": use 1 to 100, got 500'],
      });
      assert.deepEqual((await ctl(dir, ["get", "blur"])).out, ["background  upload-00000001.png"]);
      assert.deepEqual((await ctl(dir, ["get", "fps", "--json"])).out, ["null"]);
      assert.equal((await ctl(dir, ["get", "nope"])).code, 2);
      assert.deepEqual((await ctl(dir, ["save"])).out, [
        "settings saved to /home/u/.config/backscrub/config.json",
      ]);
      assert.deepEqual((await ctl(dir, ["status"])).out.slice(-1), [
        `panel           ${fake.url}?token=secret`,
      ]);
      assert.deepEqual((await ctl(dir, ["status", "--json"])).out, [
        JSON.stringify({ fps: 30, privacy: false }, null, 2),
      ]);

      await writeRuntime(dir, Deno.pid, { url: fake.url, token: "stale-token" });
      const refused = await ctl(dir, ["status"]);
      assert.equal(refused.code, 1);
      assert.match(refused.err[0]!, /refused the token in ".*": Missing or wrong token$/);
    });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("ctlCommand() picks the newest of several and says so", async () => {
  const fake = fakeServer("b");
  try {
    await withRuntime(async (dir) => {
      await writeRuntime(dir, Deno.ppid, {
        url: "http://127.0.0.1:1/",
        token: "a",
        started: "2020-01-01T00:00:00Z",
      });
      await writeRuntime(dir, Deno.pid, {
        url: fake.url,
        token: "b",
        started: "2021-01-01T00:00:00Z",
      });
      const { code, err } = await ctl(dir, ["status"]);
      assert.equal(code, 0);
      assert.deepEqual(err, [
        `backscrub ctl: 2 backscrubs are running (pid ${Deno.pid}, ${Deno.ppid}): using the ` +
        `newest, pid ${Deno.pid} (choose one with --pid)`,
      ]);
      const chosen = await ctl(dir, ["--pid", String(Deno.ppid), "status"]);
      assert.equal(chosen.code, 1);
      assert.match(
        chosen.err[0]!,
        /cannot reach backscrub \(pid \d+\) at http:\/\/127\.0\.0\.1:1\//,
      );
    });
  } finally {
    await fake.server.shutdown();
  }
});
