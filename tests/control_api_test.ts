/**
 * The control panel's JSON API against a real backscrub (a picture looped as a live camera into
 * the null sink, the real model on ONNX Runtime): every endpoint, and every refusal.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { JpegDecoder } from "../ffi/turbojpeg/mod.ts";
import { writePng } from "../src/image/png.ts";

function encodePng(data: Uint8Array, width: number, height: number): Uint8Array<ArrayBuffer> {
  return writePng({ width, height, channels: 3, data }) as Uint8Array<ArrayBuffer>;
}

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const PHOTO = join(ROOT, "src", "demo", "astronaut.png");

interface Instance {
  url: string;
  token: string;
  port: number;
  home: string;
  child: Deno.ChildProcess;
  out: () => string;
  stop: () => Promise<{ code: number; out: string }>;
}

async function start(extra: string[] = [], env: Record<string, string> = {}): Promise<Instance> {
  const home = await Deno.makeTempDir({ prefix: "backscrub-api-" });
  for (const d of ["config", "data", "runtime", "cache"]) await Deno.mkdir(join(home, d));
  await Deno.chmod(join(home, "runtime"), 0o700);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "-c",
      PHOTO,
      "--loop",
      "-v",
      "null",
      "--http",
      "127.0.0.1:0",
      ...extra,
    ],
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_DATA_HOME: join(home, "data"),
      XDG_RUNTIME_DIR: join(home, "runtime"),
      XDG_CACHE_HOME: join(home, "cache"),
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stdout) text += decoder.decode(chunk);
  })();
  const errPump = (async () => {
    for await (const chunk of child.stderr) text += decoder.decode(chunk);
  })();
  const deadline = Date.now() + 60_000;
  let m: RegExpExecArray | null = null;
  while ((m = /panel +(http:\/\/127\.0\.0\.1:(\d+)\/)\?token=(\S+)/.exec(text)) === null) {
    if (Date.now() > deadline) throw new Error(`no panel line:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: m[1]!,
    port: Number(m[2]),
    token: m[3]!,
    home,
    child,
    out: () => text,
    async stop() {
      child.kill("SIGTERM");
      const { code } = await child.status;
      await pump;
      await errPump;
      await Deno.remove(home, { recursive: true });
      return { code, out: text };
    },
  };
}

function api(
  b: Instance,
  path: string,
  init: RequestInit & { auth?: string | null } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const auth = init.auth === undefined ? b.token : init.auth;
  if (auth !== null) headers.set("authorization", `Bearer ${auth}`);
  return fetch(new URL(path, b.url), { ...init, headers });
}

/** Sends a raw HTTP/1.1 request (any Host header) and returns the status code. */
async function rawStatus(b: Instance, request: string): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: b.port });
  await conn.write(new TextEncoder().encode(request));
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
    if (text.includes("\r\n")) break;
  }
  conn.close();
  return Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
}

async function jsonOf(r: Response): Promise<Record<string, unknown>> {
  assert.match(r.headers.get("content-type") ?? "", /application\/json/);
  return await r.json();
}

/** The mean RGB of a JPEG's pixels in a box of fractions of its size. */
function meanRgb(jpeg: Uint8Array, box = [0, 0, 1, 1]): number[] {
  using decoder = new JpegDecoder();
  const { width, height } = decoder.header(jpeg);
  const rgb = new Uint8Array(width * height * 3);
  decoder.decode(jpeg, rgb, { format: "rgb" });
  const [x0, y0, x1, y1] = [box[0]! * width, box[1]! * height, box[2]! * width, box[3]! * height]
    .map(Math.round);
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0!; y < y1!; y++) {
    for (let x = x0!; x < x1!; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += rgb[(y * width + x) * 3 + c]!;
      n++;
    }
  }
  return sum.map((s) => s / n);
}

async function preview(b: Instance, view = "output"): Promise<Uint8Array> {
  const r = await api(b, `/api/preview.jpg?view=${view}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "image/jpeg");
  return new Uint8Array(await r.arrayBuffer());
}

/** A preview taken after a change is in force (the next frames show it). */
async function previewAfter(b: Instance, frames = 3): Promise<Uint8Array> {
  let jpeg = await preview(b);
  for (let i = 1; i < frames; i++) jpeg = await preview(b);
  return jpeg;
}

Deno.test("control API: settings, status, preview, backgrounds, events (a real backscrub)", async (t) => {
  const b = await start();
  try {
    await t.step("the runtime file: mode 0600, the address and the token", async () => {
      const file = join(b.home, "runtime", "backscrub", `${b.child.pid}.json`);
      const st = await Deno.stat(file);
      assert.equal(st.mode! & 0o777, 0o600);
      const info = JSON.parse(await Deno.readTextFile(file));
      assert.equal(info.url, b.url);
      assert.equal(info.token, b.token);
      assert.equal(info.pid, b.child.pid);
      assert.equal((await Deno.stat(join(b.home, "runtime", "backscrub"))).mode! & 0o777, 0o700);
    });

    await t.step("GET /api/status: camera, virtual camera, figures", async () => {
      let s = await jsonOf(await api(b, "/api/status"));
      for (let i = 0; i < 40 && s.fps === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = await jsonOf(await api(b, "/api/status"));
      }
      assert.equal((s.camera as { device: string }).device, PHOTO);
      assert.equal((s.virtual as { device: string }).device, "null");
      assert.ok((s.fps as number) > 0, `fps ${s.fps}`);
      assert.ok(typeof s.modelFps === "number");
      assert.ok(typeof (s.stages as Record<string, number>).compose === "number");
      assert.ok(typeof s.cpu === "number");
      assert.equal(s.paused, false);
      assert.equal(s.privacy, false);
      assert.equal(s.frame, "off");
      assert.equal(s["frame-zoom"], 1.6);
    });

    await t.step("GET /api/settings: the option names", async () => {
      const s = await jsonOf(await api(b, "/api/settings"));
      assert.deepEqual(Object.keys(s).sort(), [
        "background",
        "despill",
        "flip",
        "fps",
        "frame",
        "frame-zoom",
        "light-wrap",
        "mirror",
        "model",
        "privacy",
        "smooth",
        "threshold",
        "tighten",
        "upsample",
      ]);
      assert.equal(s.background, "blur");
    });

    await t.step("PATCH a colour and privacy: the preview turns that colour", async () => {
      let r = await api(b, "/api/settings", {
        method: "PATCH",
        body: JSON.stringify({ color: "#3366cc" }),
      });
      const s = await jsonOf(r);
      assert.equal(r.status, 200);
      assert.equal(s.background, "#3366cc");
      // The person is kept: the centre is not the colour, the top corners are.
      let jpeg = await previewAfter(b);
      const corner = meanRgb(jpeg, [0.85, 0, 1, 0.15]);
      assert.ok(Math.abs(corner[0]! - 0x33) < 12 && Math.abs(corner[2]! - 0xcc) < 12, `${corner}`);
      const face = meanRgb(jpeg, [0.45, 0.3, 0.55, 0.4]);
      assert.ok(Math.abs(face[2]! - 0xcc) > 40, `the face is shown: ${face}`);
      r = await api(b, "/api/settings", { method: "PATCH", body: '{"privacy": true}' });
      assert.equal((await jsonOf(r)).privacy, true);
      jpeg = await previewAfter(b);
      const all = meanRgb(jpeg);
      assert.ok(
        Math.abs(all[0]! - 0x33) < 6 && Math.abs(all[1]! - 0x66) < 6 &&
          Math.abs(all[2]! - 0xcc) < 6,
        `privacy: the colour alone: ${all}`,
      );
      const status = await jsonOf(await api(b, "/api/status"));
      assert.equal(status.privacy, true);
      r = await api(b, "/api/settings", { method: "PATCH", body: '{"privacy": false}' });
      assert.equal(r.status, 200);
      await r.body?.cancel();
    });

    await t.step("PATCH refusals: 400, one line, nothing changed", async () => {
      const before = await jsonOf(await api(b, "/api/settings"));
      for (
        const body of [
          '{"blur": 300}',
          '{"mirror": "sideways"}',
          '{"fps": 0}',
          '{"nonsense": 1}',
          '{"blur": 20, "color": "#ffffff"}',
          '{"background": "/etc/passwd"}',
          '{"background": "../backgrounds/studio.png"}',
          '{"background": "studio.png", "model": "/tmp/evil.onnx"}',
          '{"mirror": true, "threshold": 7}',
          '{"frame": "zoom"}',
          '{"frame-zoom": 9}',
          '{"frame": "auto", "frame-zoom": 0}',
          "not json",
          "[1, 2]",
          "{}",
        ]
      ) {
        const r = await api(b, "/api/settings", { method: "PATCH", body });
        assert.equal(r.status, 400, body);
        const e = await jsonOf(r);
        assert.equal(typeof e.error, "string");
        assert.ok(!(e.error as string).includes("\n"), "one line");
      }
      assert.deepEqual(await jsonOf(await api(b, "/api/settings")), before);
    });

    await t.step(
      "PATCH frame=auto: the answer, GET and the status show it; off again",
      async () => {
        let r = await api(b, "/api/settings", {
          method: "PATCH",
          body: JSON.stringify({ frame: "auto", "frame-zoom": 2.5 }),
        });
        assert.equal(r.status, 200);
        let s = await jsonOf(r);
        assert.equal(s.frame, "auto");
        assert.equal(s["frame-zoom"], 2.5);
        s = await jsonOf(await api(b, "/api/settings"));
        assert.equal(s.frame, "auto");
        assert.equal(s["frame-zoom"], 2.5);
        const status = await jsonOf(await api(b, "/api/status"));
        assert.equal(status.frame, "auto");
        assert.equal(status["frame-zoom"], 2.5);
        // The switch's spelling (the panel sends true/false) does the same.
        r = await api(b, "/api/settings", { method: "PATCH", body: '{"frame": false}' });
        s = await jsonOf(r);
        assert.equal(r.status, 200);
        assert.equal(s.frame, "off");
        assert.equal(s["frame-zoom"], 2.5, "the zoom stays for the next time");
        assert.equal((await jsonOf(await api(b, "/api/settings"))).frame, "off");
      },
    );

    await t.step("GET /api/backgrounds and thumbnails; a bundled name as background", async () => {
      const list = await jsonOf(await api(b, "/api/backgrounds"));
      const names = (list.backgrounds as { name: string }[]).map((e) => e.name);
      assert.ok(names.includes("studio.png"), names.join());
      assert.deepEqual(list.models, ["landscape", "selfie"]);
      const r = await api(b, "/api/backgrounds/studio.png/thumbnail.jpg");
      assert.equal(r.status, 200);
      const thumb = new Uint8Array(await r.arrayBuffer());
      using decoder = new JpegDecoder();
      const h = decoder.header(thumb);
      assert.deepEqual([h.width, h.height], [160, 90]);
      for (const bad of ["nothere.png", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd"]) {
        const r = await api(b, `/api/backgrounds/${bad}/thumbnail.jpg`);
        assert.equal(r.status, 404, bad);
        await r.body?.cancel();
      }
      const s = await jsonOf(
        await api(b, "/api/settings", { method: "PATCH", body: '{"background": "studio.png"}' }),
      );
      assert.equal(s.background, "studio.png");
    });

    await t.step("POST /api/backgrounds: a picture is kept under a made-up name", async () => {
      const rgb = new Uint8Array(64 * 36 * 3);
      for (let i = 0; i < rgb.length; i += 3) rgb.set([200, 40, 40], i);
      const png = encodePng(rgb, 64, 36);
      const r = await api(b, "/api/backgrounds", {
        method: "POST",
        body: png,
        headers: { "x-filename": encodeURIComponent("../../evil name.png") },
      });
      assert.equal(r.status, 201);
      const entry = await jsonOf(r);
      assert.match(entry.name as string, /^upload-[0-9a-f]{8}\.png$/);
      assert.equal(entry.source, "uploaded");
      const stored = join(b.home, "data", "backscrub", "backgrounds", entry.name as string);
      assert.equal((await Deno.stat(stored)).mode! & 0o777, 0o600);
      await assert.rejects(() => Deno.stat(join(b.home, "evil name.png")));
      const list = await jsonOf(await api(b, "/api/backgrounds"));
      assert.ok((list.backgrounds as { name: string }[]).some((e) => e.name === entry.name));
      const s = await jsonOf(
        await api(b, "/api/settings", {
          method: "PATCH",
          body: JSON.stringify({ background: entry.name, privacy: true }),
        }),
      );
      assert.equal(s.background, entry.name);
      const all = meanRgb(await previewAfter(b));
      assert.ok(Math.abs(all[0]! - 200) < 8 && all[1]! < 55, `the upload is shown: ${all}`);
      await (await api(b, "/api/settings", { method: "PATCH", body: '{"privacy": false}' })).body
        ?.cancel();
    });

    await t.step(
      "POST /api/backgrounds refusals: not a picture, too big, a lying header",
      async () => {
        const text = new TextEncoder().encode("#!/bin/sh\necho hello\n");
        let r = await api(b, "/api/backgrounds", { method: "POST", body: text });
        assert.equal(r.status, 400);
        assert.match((await jsonOf(r)).error as string, /Not a picture or video/);
        // A PNG header claiming 20000x20000: refused before anything is decoded.
        const huge = encodePng(new Uint8Array(3 * 4), 2, 2);
        new DataView(huge.buffer).setUint32(16, 20000);
        new DataView(huge.buffer).setUint32(20, 20000);
        r = await api(b, "/api/backgrounds", { method: "POST", body: huge });
        assert.equal(r.status, 400);
        assert.match((await jsonOf(r)).error as string, /20000x20000: at most 8192x8192/);
        // A damaged picture: proven by decoding, refused, nothing kept.
        const broken = encodePng(new Uint8Array(16 * 16 * 3), 16, 16).slice(0, 60);
        r = await api(b, "/api/backgrounds", { method: "POST", body: broken });
        assert.equal(r.status, 400);
        await r.body?.cancel();
        r = await api(b, "/api/backgrounds", {
          method: "POST",
          body: new Uint8Array(50 * 1024 * 1024 + 1),
        });
        assert.equal(r.status, 413);
        await r.body?.cancel();
        const kept = [...Deno.readDirSync(join(b.home, "data", "backscrub", "backgrounds"))];
        assert.equal(kept.length, 1, kept.map((e) => e.name).join());
      },
    );

    await t.step("preview views and the MJPEG stream", async () => {
      const mask = await preview(b, "mask");
      const camera = await preview(b, "camera");
      using decoder = new JpegDecoder();
      assert.equal(decoder.header(mask).width, 512);
      assert.equal(decoder.header(camera).width, 512);
      // The mask: the person (centre) white, the corners black.
      assert.ok(meanRgb(mask, [0.45, 0.4, 0.55, 0.6])[0]! > 200);
      assert.ok(meanRgb(mask, [0.85, 0, 1, 0.15])[0]! < 30);
      const bad = await api(b, "/api/preview.jpg?view=secret");
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      const r = await api(b, "/api/preview.mjpeg?fps=15");
      assert.equal(r.headers.get("content-type"), "multipart/x-mixed-replace; boundary=frame");
      const reader = r.body!.getReader();
      let got = new Uint8Array(0);
      while (got.length < 20_000) {
        const { value } = await reader.read();
        const next = new Uint8Array(got.length + value!.length);
        next.set(got);
        next.set(value!, got.length);
        got = next;
      }
      await reader.cancel();
      const head = new TextDecoder().decode(got.subarray(0, 80));
      assert.match(head, /^--frame\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n/);
      const at = head.indexOf("\r\n\r\n") + 4;
      assert.deepEqual([...got.subarray(at, at + 3)], [0xff, 0xd8, 0xff]);
    });

    await t.step("GET /api/events: settings and status, and every change", async () => {
      const r = await api(b, "/api/events");
      assert.match(r.headers.get("content-type")!, /text\/event-stream/);
      const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const until = async (re: RegExp): Promise<void> => {
        while (!re.test(text)) text += (await reader.read()).value ?? "";
      };
      await until(/event: settings\ndata: .*\n\n[^]*event: status\ndata: .*\n\n/);
      await (await api(b, "/api/settings", { method: "PATCH", body: '{"flip": true}' })).body
        ?.cancel();
      await until(/"flip":true/);
      // Status comes again about once a second.
      const count = (): number => text.split("event: status").length - 1;
      const seen = count();
      await until(new RegExp(`(event: status[^]*){${seen + 1}}`));
      await reader.cancel();
    });

    await t.step("refusals: no token, a wrong token, a foreign Origin or Host", async () => {
      for (
        const [name, init, status] of [
          ["no token", { auth: null }, 401],
          ["a wrong token", { auth: "x".repeat(43) }, 401],
          ["a foreign Origin", { headers: { origin: "http://evil.example" } }, 403],
          ["a cross-site fetch", { headers: { "sec-fetch-site": "cross-site" } }, 403],
        ] as const
      ) {
        for (const path of ["/api/status", "/api/settings", "/api/preview.jpg"]) {
          const r = await api(b, path, init as RequestInit & { auth?: string | null });
          assert.equal(r.status, status, `${name} ${path}`);
          assert.equal(typeof (await jsonOf(r)).error, "string");
        }
      }
      // fetch() sends its own Host: these go over a plain socket.
      for (const host of [`evil.example:${b.port}`, `127.0.0.1:${b.port + 1}`, "127.0.0.1"]) {
        const status = await rawStatus(
          b,
          `GET /api/status HTTP/1.1\r\nHost: ${host}\r\n` +
            `Authorization: Bearer ${b.token}\r\nConnection: close\r\n\r\n`,
        );
        assert.equal(status, 403, `Host: ${host}`);
      }
      assert.equal(
        await rawStatus(
          b,
          `GET /api/status HTTP/1.1\r\nHost: localhost:${b.port}\r\n` +
            `Authorization: Bearer ${b.token}\r\nConnection: close\r\n\r\n`,
        ),
        200,
      );
      const patch = await api(b, "/api/settings", {
        method: "PATCH",
        body: '{"mirror": true}',
        auth: null,
      });
      assert.equal(patch.status, 401);
      await patch.body?.cancel();
      assert.equal((await jsonOf(await api(b, "/api/settings"))).mirror, false);
    });

    await t.step("the page: the token in the address becomes a cookie of this port", async () => {
      let r = await fetch(`${b.url}?token=${b.token}`, { redirect: "manual" });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get("location"), "/");
      const cookie = r.headers.get("set-cookie")!;
      assert.match(
        cookie,
        new RegExp(`^backscrub_${b.port}=${b.token}; HttpOnly; SameSite=Strict`),
      );
      await r.body?.cancel();
      const jar = cookie.split(";")[0]!;
      r = await fetch(b.url, { headers: { cookie: jar } });
      assert.equal(r.status, 200);
      assert.match(await r.text(), /<html/i);
      assert.match(r.headers.get("content-security-policy")!, /default-src 'none'/);
      r = await fetch(new URL("/api/status", b.url), { headers: { cookie: jar } });
      assert.equal(r.status, 200);
      await r.body?.cancel();
      r = await fetch(b.url);
      assert.equal(r.status, 401);
      await r.body?.cancel();
      r = await fetch(`${b.url}?token=wrong`, { redirect: "manual" });
      assert.equal(r.status, 401);
      await r.body?.cancel();
    });
  } finally {
    const { code, out } = await b.stop();
    assert.equal(code, 0, out);
    assert.match(out, /stopped by signal/);
    // No runtime warning reaches the user (Deno.serve's request.signal warning did).
    assert.doesNotMatch(out, /legacy behavior|deprecat|warning/i);
    await assert.rejects(() =>
      Deno.stat(join(b.home, "runtime", "backscrub", `${b.child.pid}.json`))
    );
  }
});

Deno.test("control API: Save as default keeps the file's comments and other keys", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "config.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify(
      { "// why": "my camera settings", blur: 20, threads: 1, mirror: false },
      null,
      2,
    ),
  );
  const b = await start(["--config", file]);
  try {
    await (await api(b, "/api/settings", {
      method: "PATCH",
      body: JSON.stringify({
        color: "#112233",
        mirror: true,
        fps: 15,
        privacy: true,
        frame: "auto",
        "frame-zoom": 2,
      }),
    })).body?.cancel();
    const r = await api(b, "/api/settings/save", { method: "POST" });
    assert.equal(r.status, 200);
    const saved = await jsonOf(r);
    assert.equal(saved.path, file);
    const config = JSON.parse(await Deno.readTextFile(file));
    assert.equal(config["// why"], "my camera settings");
    assert.equal(config.threads, 1);
    assert.equal(config.background, "#112233");
    assert.equal(config.blur, undefined, "the background replaces blur");
    assert.equal(config.mirror, true);
    assert.equal(config.fps, 15);
    assert.equal(config.frame, "auto");
    assert.equal(config["frame-zoom"], 2);
    assert.equal(config.privacy, undefined, "privacy is never saved");
    assert.deepEqual(Object.keys(config).slice(0, 2), ["// why", "threads"]);
  } finally {
    const { code, out } = await b.stop();
    assert.equal(code, 0, out);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("control API: --http off serves nothing; a file run serves nothing unless asked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const args of [["--loop", "--http", "off", "--frames", "3"], ["--frames", "2"]]) {
      const { code, stdout } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(ROOT, "main.ts"),
          "-c",
          PHOTO,
          "-v",
          join(dir, "o.y4m"),
          "--no-config",
          "-b",
          "off",
          ...args,
        ],
        env: { XDG_RUNTIME_DIR: dir },
      }).output();
      const out = new TextDecoder().decode(stdout);
      assert.equal(code, 0, out);
      assert.doesNotMatch(out, /panel/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
