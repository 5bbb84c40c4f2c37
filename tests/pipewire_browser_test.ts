/**
 * The PipeWire camera in a real browser, the way a user's browser reaches it: Debian's headless
 * Chromium (`/usr/bin/chromium`, driven by playwright-core) with PipeWire cameras switched on
 * (`--enable-features=WebRtcPipeWireCamera`, what `chrome://flags/#enable-webrtc-pipewire-camera`
 * sets), asking `xdg-desktop-portal`'s Camera portal on a private session bus, which opens a
 * restricted PipeWire connection that WirePlumber's portal rules fill with Camera nodes. The
 * portal needs an Access backend to be declared (a `.portal` file; none runs: the camera
 * permission is seeded in the permission store, so no dialog is asked for).
 *
 * `backscrub -c picture --loop -v pipewire -b off` runs; the page lists "backscrub", opens it
 * with `getUserMedia`, and its pixels match, within ±2, what backscrub sent (the frame in the
 * format Chromium took — it prefers I420 — converted to RGB by backscrub's own BT.601 code).
 *
 * Without Chromium, xdg-desktop-portal or gdbus the test is skipped with a note, except under CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./_models.ts";
import { CI, PipewireSession, skipWithoutPipewire } from "./_pipewire.ts";
import { makeFrame } from "../src/frame/mod.ts";
import { packYuyv, rgbToFrame } from "../src/image/planar.ts";
import { writePng } from "../src/image/png.ts";
import { i420ToRgb, nv12ToRgb, yuyvTo420, yuyvToRgb } from "../src/image/yuv.ts";

const CHROMIUM = "/usr/bin/chromium";
const PORTAL = "/usr/libexec/xdg-desktop-portal";
const PERMISSION_STORE = "/usr/libexec/xdg-permission-store";
const WIDTH = 320;
const HEIGHT = 240;

const missing = [CHROMIUM, PORTAL, PERMISSION_STORE, "/usr/bin/gdbus"].filter((p) => {
  try {
    return !Deno.statSync(p).isFile;
  } catch {
    return true;
  }
});
const skipPipewire = skipWithoutPipewire("tests/pipewire_browser_test");
const ignore = skipPipewire || (missing.length > 0 && !CI);
if (!skipPipewire && ignore) {
  console.warn(
    `pipewire_browser_test: skipped: ${missing.join(", ")} missing (apt-get install chromium ` +
      "xdg-desktop-portal libglib2.0-bin); under CI it fails",
  );
}

/**
 * A picture with sharp detail in both directions — grey diagonal stripes, which change luma only —
 * over a colour that changes slowly from top to bottom. Its chroma is smooth, so that however a
 * browser subsamples it (Chromium takes I420) and interpolates it back, it shows the same colours.
 */
function picture(): Uint8Array {
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    const base = [40 + Math.round(y / 2), 180 - Math.round(y / 2), 60 + Math.round(y / 3)];
    for (let x = 0; x < WIDTH; x++) {
      const o = (y * WIDTH + x) * 3;
      const stripe = (x + y) % 32 < 16 ? 60 : 0;
      for (let c = 0; c < 3; c++) rgb[o + c] = base[c]! + stripe;
    }
  }
  return rgb;
}

/**
 * The frame backscrub sent in `format` (YUY2 as written, I420 and NV12 repacked from it) as RGB,
 * converted by backscrub's own BT.601 code.
 */
function sentAsRgb(yuyv: Uint8Array, format: string | undefined): Uint8Array {
  const size = { width: WIDTH, height: HEIGHT };
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  if (format === "YUY2") {
    yuyvToRgb(yuyv, rgb, size);
  } else if (format === "I420" || format === "NV12") {
    const planar = new Uint8Array(WIDTH * HEIGHT * 3 / 2);
    yuyvTo420(yuyv, planar, format === "I420" ? "i420" : "nv12", size);
    (format === "I420" ? i420ToRgb : nv12ToRgb)(planar, rgb, size);
  } else {
    throw new Error(`the browser took an unexpected format: ${format}`);
  }
  return rgb;
}

Deno.test({
  name: "headless Chromium lists the PipeWire camera through the portal and sees its pixels",
  ignore,
  async fn() {
    await using session = await PipewireSession.start();
    const portals = join(session.dir, "portals");
    await Deno.mkdir(portals);
    await Deno.writeTextFile(
      join(portals, "test.portal"),
      "[portal]\nDBusName=org.freedesktop.impl.portal.desktop.test\n" +
        "Interfaces=org.freedesktop.impl.portal.Access\nUseIn=test\n",
    );
    const env = { ...session.env, XDG_DESKTOP_PORTAL_DIR: portals, XDG_CURRENT_DESKTOP: "test" };
    const children: Deno.ChildProcess[] = [];
    const spawn = (program: string, args: string[]): Deno.ChildProcess => {
      const child = new Deno.Command(program, {
        args,
        env,
        clearEnv: true,
        stdin: "null",
        stdout: program === Deno.execPath() ? "piped" : "null",
        stderr: "null",
      }).spawn();
      children.push(child);
      return child;
    };
    const rgb = picture();
    const file = join(session.dir, "picture.png");
    await Deno.writeFile(file, writePng({ width: WIDTH, height: HEIGHT, channels: 3, data: rgb }));
    // What backscrub writes (`-b off`).
    const frame = makeFrame({ width: WIDTH, height: HEIGHT }, "422");
    rgbToFrame(rgb, frame);
    const yuyv = new Uint8Array(WIDTH * HEIGHT * 2);
    packYuyv(frame, yuyv);

    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      () =>
        new Response("<!doctype html><video id=v autoplay muted playsinline></video>", {
          headers: { "content-type": "text/html" },
        }),
    );
    let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
    let drained: Promise<void> = Promise.resolve();
    try {
      spawn(PERMISSION_STORE, ["--replace"]);
      spawn(PORTAL, ["--replace"]);
      // The camera permission of programs outside a sandbox (app id ""): no dialog.
      const seed = async (): Promise<Deno.CommandOutput> =>
        await new Deno.Command("gdbus", {
          args: [
            "call",
            "--session",
            "--dest",
            "org.freedesktop.impl.portal.PermissionStore",
            "--object-path",
            "/org/freedesktop/impl/portal/PermissionStore",
            "--method",
            "org.freedesktop.impl.portal.PermissionStore.SetPermission",
            "devices",
            "true",
            "camera",
            "",
            "['yes']",
          ],
          env,
          clearEnv: true,
        }).output();
      let seeded = await seed();
      for (let i = 0; i < 50 && !seeded.success; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seeded = await seed();
      }
      assert.ok(seeded.success, new TextDecoder().decode(seeded.stderr));

      const run = spawn(Deno.execPath(), [
        "run",
        "-A",
        join(ROOT, "main.ts"),
        "-c",
        file,
        "--loop",
        "-v",
        "pipewire",
        "--http",
        "off",
        "-b",
        "off",
        "--no-config",
      ]);
      const out = run.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!/^backscrub: output {5}pipewire "backscrub"/m.test(text)) {
        const r = await out.read();
        assert.ok(!r.done, `backscrub ended:\n${text}`);
        text += r.value;
      }
      drained = (async () => {
        while (!(await out.read()).done) { /* its summary line */ }
      })();

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        env,
        args: [
          "--no-sandbox",
          "--enable-features=WebRtcPipeWireCamera",
          "--use-fake-ui-for-media-stream",
        ],
      });
      const page = await browser.newPage();
      await page.goto(`http://localhost:${server.addr.port}/`);
      // Chromium finds PipeWire cameras through the portal in the background: wait until the
      // camera is listed (a loaded machine listed none at first), then ask for it; the labels
      // are read once the permission is granted.
      const seen = await page.evaluate(`(async () => {
        const cameras = async () => (await navigator.mediaDevices.enumerateDevices())
          .filter((d) => d.kind === "videoinput");
        for (let i = 0; i < 150 && (await cameras()).length === 0; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const stream = await navigator.mediaDevices.getUserMedia({
          video: { width: ${WIDTH}, height: ${HEIGHT} },
        });
        const labels = (await cameras()).map((d) => d.label);
        const v = document.getElementById("v");
        v.srcObject = stream;
        await v.play();
        // The first real frame (a loaded machine showed a 2x2 placeholder after 1 s).
        for (let i = 0; i < 150 && v.videoWidth !== ${WIDTH}; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 500));
        const c = document.createElement("canvas");
        c.width = v.videoWidth;
        c.height = v.videoHeight;
        const g = c.getContext("2d");
        g.drawImage(v, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        const label = stream.getVideoTracks()[0].label;
        stream.getTracks().forEach((t) => t.stop());
        return { labels, label, width: c.width, height: c.height, pixels: Array.from(d) };
      })()`) as {
        labels: string[];
        label: string;
        width: number;
        height: number;
        pixels: number[];
      };
      assert.deepEqual(seen.labels, ["backscrub"]);
      assert.equal(seen.label, "backscrub");
      assert.deepEqual([seen.width, seen.height], [WIDTH, HEIGHT]);
      // What went out, in the format the browser took, converted to RGB by backscrub's own code.
      const node = (await session.objects("Node")).find((n) =>
        n.props["node.name"] === "backscrub"
      );
      const params = (node?.raw.info as { params?: { Format?: { format?: string }[] } }).params;
      const format = params?.Format?.[0]?.format;
      const shown = sentAsRgb(yuyv, format);
      let worst = 0;
      let where = "";
      for (let i = 0; i < WIDTH * HEIGHT; i++) {
        for (let ch = 0; ch < 3; ch++) {
          const d = Math.abs(seen.pixels[i * 4 + ch]! - shown[i * 3 + ch]!);
          if (d > worst) [worst, where] = [d, `x ${i % WIDTH}, y ${Math.floor(i / WIDTH)}`];
        }
      }
      assert.ok(worst <= 2, `the browser's pixels differ by up to ${worst} (at ${where})`);
      console.log(`  Chromium took ${format}: its pixels within ±${worst} of what backscrub sent`);
    } finally {
      await browser?.close();
      await server.shutdown();
      for (const child of children.reverse()) {
        try {
          child.kill("SIGTERM");
        } catch {
          // gone
        }
        await child.status;
      }
      await drained;
    }
  },
});
