/**
 * The control panel in a real browser: Debian's headless Chromium (`/usr/bin/chromium`, never a
 * downloaded one), driven by playwright-core, opens the panel of a running backscrub (a picture
 * played as a live camera into the null sink) at the address it printed, and checks with real
 * pixels, read back from the preview, that the panel's controls change what the call sees: a
 * background thumbnail, the blur slider, the privacy switch; that the auto-frame switch and its
 * max zoom slider change the settings in force; and that status figures update, refusals are
 * shown, changes made elsewhere appear, uploads work, and the page reads well in the light and
 * dark themes and on a narrow window.
 *
 * Without Chromium the test is skipped with a note, except under CI, where it fails.
 * `BACKSCRUB_UPDATE_SCREENSHOT=1` also writes the README's screenshot, docs/panel.png.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "./_models.ts";

const CHROMIUM = "/usr/bin/chromium";
const PICTURE = join(ROOT, "src", "demo", "astronaut.png");
/** A picture to upload (any PNG does). */
const UPLOAD = PICTURE;
const SCREENSHOT = join(ROOT, "docs", "panel.png");
/** A bundled background's thumbnail: what the output should show behind the person. */
const STUDIO = "/api/backgrounds/studio.png/thumbnail.jpg";
/** A colour far from anything in the picture, for the privacy check. */
const GREEN = [32, 192, 64] as const;

const haveChromium = await Deno.stat(CHROMIUM).then((s) => s.isFile, () => false);
const ci = !["", "0", "false"].includes(Deno.env.get("CI") ?? "");
if (!haveChromium && !ci) {
  console.warn(
    `panel_browser_test: skipped: no ${CHROMIUM} (apt-get install chromium); under CI it fails`,
  );
}

type Rgb = readonly [number, number, number];

/** What the preview shows, split by the mask: the person's pixels and the background's. */
interface Measure {
  width: number;
  height: number;
  /** Mean colour of the output where the mask says person. */
  person: Rgb;
  /** Mean colour of the output where the mask says background. */
  background: Rgb;
  /** Fine detail of the background: mean |luma difference| between neighbours. */
  detail: number;
  /** Share of the frame the mask calls person, 0-1. */
  personShare: number;
  /** With a picture given: its mean colours at the same pixels, scaled to cover the frame. */
  expected: { person: Rgb; background: Rgb } | null;
}

/** A running backscrub. */
interface Running {
  child: Deno.ChildProcess;
  /** The panel's address as printed, with its token. */
  panel: string;
  origin: string;
  token: string;
  output: string[];
  home: string;
  config: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Polls `probe` until `ok` holds; fails with the last value after `ms`. */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const end = performance.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (Deno.env.get("PANEL_DEBUG")) console.log(what, JSON.stringify(last));
    if (ok(last)) return last;
    if (performance.now() > end) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(last)}`);
    }
    await sleep(150);
  }
}

async function startBackscrub(): Promise<Running> {
  const home = await Deno.makeTempDir({ prefix: "backscrub-panel-" });
  const env = {
    XDG_RUNTIME_DIR: join(home, "run"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_DATA_HOME: join(home, "data"),
    NO_COLOR: "1",
  };
  await Deno.mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      join(ROOT, "main.ts"),
      "-c",
      "src/demo/astronaut.png", // relative: the screenshot shows no path of this machine
      "--loop",
      "-v",
      "null",
      "--http",
      "127.0.0.1:0",
    ],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  let found: (url: string) => void = () => {};
  const printed = new Promise<string>((resolve) => found = resolve);
  const drain = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      const chunk = decoder.decode(bytes, { stream: true });
      output.push(chunk);
      pending += chunk;
      const m = /panel\s+(http:\/\/\S+\?token=\S+)/.exec(pending);
      if (m) found(m[1]!);
    }
  };
  drain(child.stdout).catch(() => {});
  drain(child.stderr).catch(() => {});
  const panel = await Promise.race([
    printed,
    child.status.then((s) => `exited ${s.code}`),
    sleep(60_000).then(() => "timeout"),
  ]);
  if (!panel.startsWith("http://")) {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    throw new Error(`backscrub printed no panel address (${panel}):\n${output.join("")}`);
  }
  const url = new URL(panel);
  return {
    child,
    panel,
    origin: url.origin,
    token: url.searchParams.get("token") ?? "",
    output,
    home,
    config: join(env.XDG_CONFIG_HOME, "backscrub", "config.json"),
  };
}

/**
 * Helpers that run inside the page, as `probe.*`. Plain JavaScript in a string: this file is
 * type-checked with the rest of the project, without the DOM library. Everything goes through
 * the page, as the panel does: same-origin requests that the panel's cookie authenticates.
 */
const PROBE = `
globalThis.probe = {
  /** The settings in force. */
  async settings() {
    const response = await fetch("/api/settings", { cache: "no-store" });
    return await response.json();
  },

  async bitmap(path) {
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return await createImageBitmap(await response.blob());
  },

  pixels(image, width, height) {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(image, 0, 0, width, height);
    return context.getImageData(0, 0, width, height).data;
  },

  /**
   * The latest output frame split by the latest mask: mean colours of the person and of the
   * background, and the background's fine detail (mean luma step between neighbours). The two
   * frames may come from two camera frames: the source is a still picture, so they agree.
   */
  async measure(picture) {
    const t = Date.now();
    const [output, mask] = await Promise.all([
      this.bitmap("/api/preview.jpg?view=output&t=" + t),
      this.bitmap("/api/preview.jpg?view=mask&t=" + t),
    ]);
    const { width, height } = output;
    const out = this.pixels(output, width, height);
    const m = this.pixels(mask, width, height);
    const p = [0, 0, 0, 0];
    const b = [0, 0, 0, 0];
    // The picture (a thumbnail) as the background would show it: scaled to cover the frame.
    let bg = null;
    const ep = [0, 0, 0, 0];
    const eb = [0, 0, 0, 0];
    if (picture) {
      const image = await this.bitmap(picture);
      const scale = Math.max(width / image.width, height / image.height);
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const w = image.width * scale;
      const h = image.height * scale;
      context.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
      bg = context.getImageData(0, 0, width, height).data;
    }
    const luma = (j) => 0.299 * out[j] + 0.587 * out[j + 1] + 0.114 * out[j + 2];
    let detail = 0;
    let steps = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const into = m[i] > 200 ? p : m[i] < 40 ? b : null;
        if (!into) continue;
        into[0] += out[i];
        into[1] += out[i + 1];
        into[2] += out[i + 2];
        into[3] += 1;
        if (bg) {
          const e = into === p ? ep : eb;
          e[0] += bg[i];
          e[1] += bg[i + 1];
          e[2] += bg[i + 2];
          e[3] += 1;
        }
        if (into === b && x + 1 < width && m[i + 4] < 40) {
          detail += Math.abs(luma(i) - luma(i + 4));
          steps += 1;
        }
      }
    }
    const mean = (s) => [s[0], s[1], s[2]].map((v) => v / Math.max(1, s[3]));
    return {
      width,
      height,
      person: mean(p),
      background: mean(b),
      detail: detail / Math.max(1, steps),
      personShare: p[3] / (width * height),
      expected: bg ? { person: mean(ep), background: mean(eb) } : null,
    };
  },

  /** The mean colour of an image the server serves (a thumbnail). */
  async meanOf(path) {
    const image = await this.bitmap(path);
    const data = this.pixels(image, image.width, image.height);
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) {
      sum[0] += data[i];
      sum[1] += data[i + 1];
      sum[2] += data[i + 2];
    }
    return sum.map((v) => v / (data.length / 4));
  },

  /** WCAG contrast of each selector's text against what is behind it. */
  contrasts(selectors) {
    const rgb = (text) => {
      const m = /rgba?\\(([\\d.]+),?\\s*([\\d.]+),?\\s*([\\d.]+)(?:[,/]\\s*([\\d.]+))?/.exec(text);
      if (!m) return [0, 0, 0, 0];
      return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    };
    const lin = (v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    const luminance = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    const result = {};
    for (const selector of selectors) {
      const element = document.querySelector(selector);
      if (!element) {
        result[selector] = -1;
        continue;
      }
      const fg = rgb(getComputedStyle(element).color);
      let bg = rgb(getComputedStyle(document.documentElement).backgroundColor);
      for (let e = element; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) {
          bg = c;
          break;
        }
      }
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      result[selector] = (hi + 0.05) / (lo + 0.05);
    }
    return result;
  },

  /** Pretends the page was hidden (another tab, a minimised window) or shown again. */
  hide(hidden) {
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => (hidden ? "hidden" : "visible"),
    });
    document.dispatchEvent(new Event("visibilitychange"));
  },

  /** How many preview images are streaming. */
  streams() {
    return document.querySelectorAll(".stage-img[src]").length;
  },

  /** Adds a model the server does not offer to the model select (to provoke a refusal). */
  addModel(name) {
    document.getElementById("model").add(new Option(name, name));
  },

  /** A DataTransfer holding one picture, as a drag from the file manager carries. */
  async dropped(path, name) {
    const response = await fetch(path);
    const transfer = new DataTransfer();
    transfer.items.add(new File([await response.blob()], name, { type: "image/jpeg" }));
    return transfer;
  },

  /** Where the layout put the preview and the controls, and any sideways overflow. */
  layout() {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    return {
      overflow: document.documentElement.scrollWidth - innerWidth,
      previewBottom: box("preview").bottom,
      controlsTop: box("controls").top,
      controlsWidth: box("controls").width,
      background: getComputedStyle(document.documentElement).backgroundColor,
    };
  },
};
`;

/** Runs `probe.<call>` in the page. */
async function probe<T>(page: Page, call: string): Promise<T> {
  return await page.evaluate(`probe.${call}`) as T;
}

/** The settings in force, asked through the page (its cookie). */
function settings(page: Page): Promise<Record<string, unknown>> {
  return probe(page, "settings()");
}

/**
 * The latest output frame, split into person and background by the latest mask; with `picture`
 * (a path on the server), that picture's colours at the same pixels too.
 */
function measure(page: Page, picture?: string): Promise<Measure> {
  return probe(page, `measure(${picture === undefined ? "" : JSON.stringify(picture)})`);
}

/** WCAG contrast of each selector's text against what is behind it. */
function contrasts(page: Page, selectors: string[]): Promise<Record<string, number>> {
  return probe(page, `contrasts(${JSON.stringify(selectors)})`);
}

/** Text that must stay readable in both themes. */
const READABLE = [
  "h1",
  "#preview-heading",
  ".figure-value",
  ".figure-label",
  "#status-camera",
  ".devices dt",
  ".tile-name",
  ".hint",
  "#save",
  ".privacy-title",
  ".picker-group-title",
];

async function openPanel(
  browser: Browser,
  run: Running,
  options: { width: number; height: number; scheme: "light" | "dark" },
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.scheme,
    reducedMotion: "reduce",
  });
  await context.addInitScript({ content: PROBE });
  const page = await context.newPage();
  await page.goto(run.panel);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

/** The size a PNG's header states. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

Deno.test({
  name: "control panel in headless Chromium: controls change the preview's pixels",
  ignore: !haveChromium && !ci,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    assert.ok(haveChromium, `No browser at ${CHROMIUM}: apt-get install chromium`);
    const run = await startBackscrub();
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      const page = await openPanel(browser, run, { width: 1280, height: 800, scheme: "light" });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));

      await t.step(
        "the printed address opens the panel and leaves the token out of the URL",
        async () => {
          assert.equal(new URL(page.url()).pathname, "/");
          assert.equal(new URL(page.url()).search, "", "the token is not left in the address bar");
          await until(
            "the live preview",
            () =>
              page.evaluate(`document.getElementById("preview").naturalWidth`) as Promise<number>,
            (w) => w > 0,
          );
          await page.waitForSelector("#connection[data-state=ok]");
        },
      );

      await t.step("status figures update live", async () => {
        const first = Number((await page.textContent("#status-frames"))!.replace(/\D/g, ""));
        const later = await until(
          "the frame count to grow",
          async () => Number((await page.textContent("#status-frames"))!.replace(/\D/g, "")),
          (n) => n > first,
          10_000,
        );
        assert.ok(later > first);
        const fps = Number(await page.textContent("#status-fps"));
        assert.ok(fps > 0, `camera fps shows a number: ${fps}`);
        assert.match((await page.textContent("#status-camera"))!, /astronaut\.png|\S/);
        const stages = await page.$$eval("#status-stages tbody tr", (rows) => rows.length);
        assert.ok(stages >= 5, `a row per stage: ${stages}`);
      });

      await t.step("a background thumbnail puts that picture behind the person", async () => {
        const before = await measure(page, STUDIO);
        assert.ok(before.personShare > 0.1, `the mask finds the person: ${before.personShare}`);
        const away = distance(before.background, before.expected!.background);
        assert.ok(away > 30, `the blurred camera does not look like studio.png already: ${away}`);
        await page.click('[data-background="studio.png"]');
        await until(
          "studio.png in force",
          () => settings(page),
          (s) => s.background === "studio.png",
        );
        await page.waitForSelector('[data-background="studio.png"][aria-pressed=true]');
        const after = await until(
          "the output's background to turn to studio.png",
          () => measure(page, STUDIO),
          (m) => distance(m.background, m.expected!.background) < 12,
        );
        assert.ok(
          distance(before.person, after.person) < 30,
          `the person stays: ${before.person} → ${after.person}`,
        );
      });

      await t.step("screenshot, light theme, 1280x800; the text is readable", async () => {
        await page.evaluate("scrollTo(0, 0); document.activeElement?.blur()");
        await sleep(1500);
        const png = await page.screenshot();
        assert.deepEqual(pngSize(png), { width: 1280, height: 800 });
        if (Deno.env.get("BACKSCRUB_UPDATE_SCREENSHOT") === "1") {
          await Deno.mkdir(join(ROOT, "docs"), { recursive: true });
          await Deno.writeFile(SCREENSHOT, png);
        }
        for (const [selector, ratio] of Object.entries(await contrasts(page, READABLE))) {
          assert.ok(ratio >= 4.5, `light theme: ${selector} contrast ${ratio.toFixed(2)} < 4.5`);
        }
      });

      await t.step("the blur slider changes the output (keyboard)", async () => {
        await page.focus("#blur-strength");
        await page.keyboard.press("Home");
        await until("blur:1", () => settings(page), (s) => s.background === "blur:1");
        await page.waitForSelector("#bg-blur[aria-pressed=true]");
        await sleep(400);
        const weak = await measure(page);
        await page.keyboard.press("End");
        assert.equal(await page.textContent("#blur-value"), "100");
        await until("blur:100", () => settings(page), (s) => s.background === "blur:100");
        const strong = await until(
          "a blurrier background",
          () => measure(page),
          (m) => m.detail < weak.detail * 0.5,
        );
        assert.ok(
          distance(weak.person, strong.person) < 30,
          `the person stays sharp: ${weak.person} → ${strong.person}`,
        );
      });

      await t.step("privacy removes the person, and brings them back", async () => {
        await page.fill("#color", "#20c040");
        await until("the colour", () => settings(page), (s) => s.background === "#20c040");
        await page.waitForSelector("#bg-color[aria-pressed=true]");
        const seen = await until(
          "a green background",
          () => measure(page),
          (m) => distance(m.background, GREEN) < 25,
        );
        assert.ok(distance(seen.person, GREEN) > 80, `the person is there: ${seen.person}`);

        await page.click("#privacy");
        await page.waitForSelector("#privacy[aria-checked=true]");
        assert.ok(await page.isVisible("#privacy-badge"));
        await until("privacy in force", () => settings(page), (s) => s.privacy === true);
        const hidden = await until(
          "the person to disappear into the green",
          () => measure(page),
          (m) => distance(m.person, GREEN) < 25,
        );
        assert.ok(distance(hidden.person, hidden.background) < 25);
        await page.waitForSelector("#status-state[data-state=privacy]");

        // Another background while private: the person's place shows that picture's own pixels.
        await page.click('[data-background="studio.png"]');
        await until(
          "studio.png in force",
          () => settings(page),
          (s) => s.background === "studio.png",
        );
        await until(
          "studio.png where the person was",
          () => measure(page, STUDIO),
          (m) => distance(m.person, m.expected!.person) < 12,
        );
        assert.equal((await settings(page)).privacy, true, "privacy stays on");

        await page.click("#privacy");
        await page.waitForSelector("#privacy[aria-checked=false]");
        await until(
          "the person to come back",
          () => measure(page),
          (m) => distance(m.person, seen.person) < 30,
        );
        assert.ok(await page.isHidden("#privacy-badge"));
      });

      await t.step(
        "a refused change is shown and the control returns to the setting in force",
        async () => {
          const model = (await settings(page)).model as string;
          await probe(page, 'addModel("nope")');
          await page.selectOption("#model", "nope");
          await page.waitForSelector("#message:not([hidden])");
          assert.match((await page.textContent("#message-text"))!, /model/i);
          assert.equal(await page.getAttribute("#message", "role"), "alert");
          await until(
            "the model select to go back",
            () => page.inputValue("#model"),
            (v) => v === model,
          );
          await page.click("#message-close");
          await page.waitForSelector("#message", { state: "hidden" });
        },
      );

      await t.step("a change made elsewhere (the API, ctl) shows up in the panel", async () => {
        const patch = async (body: unknown): Promise<void> => {
          const response = await fetch(new URL("/api/settings", run.origin), {
            method: "PATCH",
            headers: { authorization: `Bearer ${run.token}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          assert.equal(response.status, 200, await response.text());
        };
        await patch({ mirror: true, background: "office.png" });
        await page.waitForSelector("#mirror:checked");
        await page.waitForSelector('[data-background="office.png"][aria-pressed=true]');
        await patch({ mirror: false });
        await page.waitForSelector("#mirror:not(:checked)");
      });

      await t.step(
        "the auto-frame switch and the max zoom slider change the server's settings",
        async () => {
          const toggle = page.getByRole("switch", { name: "Auto-frame" });
          const zoom = page.getByRole("slider", { name: "Max zoom" });
          assert.equal(await toggle.isChecked(), false, "off by default");
          assert.equal(await zoom.isDisabled(), true, "max zoom waits for auto-frame");
          assert.equal(await page.textContent("#frame-zoom-value"), "1.6×");

          // The keyboard: Space switches it on; the slider then moves with the arrow keys.
          await toggle.focus();
          await page.keyboard.press("Space");
          await until("frame auto", () => settings(page), (s) => s.frame === "auto");
          assert.equal(await zoom.isEnabled(), true, "max zoom can move with auto-frame on");
          await zoom.focus();
          for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
          assert.equal(await page.textContent("#frame-zoom-value"), "2.0×");
          await until("frame-zoom 2", () => settings(page), (s) => s["frame-zoom"] === 2);
          await page.keyboard.press("End");
          await until("frame-zoom 4", () => settings(page), (s) => s["frame-zoom"] === 4);
          assert.equal(await page.textContent("#frame-zoom-value"), "4.0×");

          // The mouse: a click on the switch turns it off; the zoom is kept for next time.
          await page.click('label[for="frame"]');
          const off = await until("frame off", () => settings(page), (s) => s.frame === "off");
          assert.equal(off["frame-zoom"], 4);
          await page.waitForSelector("#frame-zoom:disabled");

          // Changed elsewhere (the API, ctl): the panel follows.
          const response = await fetch(new URL("/api/settings", run.origin), {
            method: "PATCH",
            headers: { authorization: `Bearer ${run.token}`, "content-type": "application/json" },
            body: JSON.stringify({ frame: "auto", "frame-zoom": 3 }),
          });
          assert.equal(response.status, 200, await response.text());
          await page.waitForSelector("#frame:checked");
          await page.waitForSelector("#frame-zoom:enabled");
          await until(
            "the slider at 3",
            () => page.textContent("#frame-zoom-value"),
            (text) => text === "3.0×",
          );
          assert.equal(await zoom.inputValue(), "3");
          await toggle.click();
          await until("frame off again", () => settings(page), (s) => s.frame === "off");
        },
      );

      await t.step(
        "upload by the file chooser and by drag and drop selects the new picture",
        async () => {
          await page.setInputFiles("#upload-input", UPLOAD);
          const chosen = await until(
            "the uploaded picture to be the background",
            () => settings(page),
            (s) => String(s.background).startsWith("upload-"),
          );
          const name = String(chosen.background);
          await page.waitForSelector(`[data-background="${name}"][aria-pressed=true]`);

          const drop = await page.evaluateHandle(
            'probe.dropped("/api/backgrounds/bokeh.png/thumbnail.jpg", "dropped.jpg")',
          );
          await page.dispatchEvent("#backgrounds", "dragenter", { dataTransfer: drop });
          assert.ok(await page.$eval("#backgrounds", (e) => e.classList.contains("dragging")));
          await page.dispatchEvent("#backgrounds", "drop", { dataTransfer: drop });
          const dropped = await until(
            "the dropped picture to be the background",
            () => settings(page),
            (s) => String(s.background).startsWith("upload-") && s.background !== name,
          );
          await page.waitForSelector(
            `[data-background="${dropped.background}"][aria-pressed=true]`,
          );
          assert.ok(!(await page.$eval("#backgrounds", (e) => e.classList.contains("dragging"))));
        },
      );

      await t.step("save as default writes the settings file and says where", async () => {
        await page.click("#save");
        await until(
          "the saved path",
          () => page.textContent("#save-result"),
          (text) => (text ?? "").includes(run.config),
        );
        const saved = JSON.parse(await Deno.readTextFile(run.config));
        assert.equal(typeof saved.background, "string");
        assert.equal(saved.frame, "off");
        assert.equal(saved["frame-zoom"], 3, "the zoom set above is saved");
      });

      await t.step("the preview streams stop while the page is hidden", async () => {
        await page.click("#show-sources");
        await until(
          "three streams",
          () => probe<number>(page, "streams()"),
          (n) => n === 3,
        );
        await probe(page, "hide(true)");
        assert.equal(await probe(page, "streams()"), 0, "no stream while hidden");
        await probe(page, "hide(false)");
        assert.equal(await probe(page, "streams()"), 3, "the streams again once shown");
        await page.click("#show-sources");
        assert.equal(await probe(page, "streams()"), 1, "the output alone");
      });

      await t.step("no script errors on the page", () => {
        assert.deepEqual(errors, []);
      });

      await t.step("dark theme renders dark and readable", async () => {
        const dark = await openPanel(browser!, run, { width: 1280, height: 800, scheme: "dark" });
        const { background } = await probe<{ background: string }>(dark, "layout()");
        const [r, g, b] = background.match(/\d+/g)!.map(Number);
        assert.ok(r! + g! + b! < 120, `a dark page: ${background}`);
        for (const [selector, ratio] of Object.entries(await contrasts(dark, READABLE))) {
          assert.ok(ratio >= 4.5, `dark theme: ${selector} contrast ${ratio.toFixed(2)} < 4.5`);
        }
        await dark.context().close();
      });

      await t.step("a narrow window stacks the preview above the controls", async () => {
        const narrow = await openPanel(browser!, run, { width: 400, height: 800, scheme: "light" });
        const layout = await probe<
          { overflow: number; previewBottom: number; controlsTop: number; controlsWidth: number }
        >(narrow, "layout()");
        assert.ok(layout.overflow <= 0, `no sideways scrolling: ${layout.overflow}px`);
        assert.ok(layout.controlsTop >= layout.previewBottom, JSON.stringify(layout));
        assert.ok(layout.controlsWidth > 300, JSON.stringify(layout));
        await narrow.context().close();
      });
    } finally {
      await browser?.close();
      try {
        run.child.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await run.child.status;
      await Deno.remove(run.home, { recursive: true }).catch(() => {});
      assert.equal(status.code, 0, `backscrub exits 0 on SIGTERM:\n${run.output.join("")}`);
    }
  },
});
