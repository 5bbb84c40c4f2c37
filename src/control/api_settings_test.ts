import assert from "node:assert/strict";
import { defaultSettings } from "../pipeline/settings.ts";
import {
  API_KEYS,
  ApiSettingsError,
  blurOf,
  changeFromApi,
  settingsToApi,
} from "./api_settings.ts";

const CURRENT = defaultSettings({
  background: "blur",
  mask: { upsample: "guided", smoothing: 0.8, hold: 0.8, tighten: [0.25, 0.75] },
});
const CTX = { hasBackground: (n: string) => n === "studio.png", models: ["landscape", "selfie"] };

Deno.test("settingsToApi speaks the option names, defaults filled in", () => {
  assert.deepEqual(settingsToApi(defaultSettings({ background: "#3366cc" })), {
    background: "#3366cc",
    model: "landscape",
    mirror: false,
    flip: false,
    threshold: null,
    upsample: "guided",
    smooth: 0.8,
    tighten: [0.25, 0.75],
    "light-wrap": null,
    despill: null,
    fps: null,
    privacy: false,
    frame: "off",
    "frame-zoom": 1.6,
  });
  const framed = settingsToApi(
    defaultSettings({ background: "blur", frame: "auto", frameZoom: 2.5 }),
  );
  assert.equal(framed.frame, "auto");
  assert.equal(framed["frame-zoom"], 2.5);
});

Deno.test("changeFromApi turns option names into a settings change", () => {
  assert.deepEqual(changeFromApi({ blur: 30 }, CURRENT, CTX), { background: "blur:30" });
  assert.deepEqual(changeFromApi({ blur: true }, CURRENT, CTX), { background: "blur" });
  assert.deepEqual(changeFromApi({ color: "#36C" }, CURRENT, CTX), { background: "#3366cc" });
  assert.deepEqual(changeFromApi({ background: "studio.png" }, CURRENT, CTX), {
    background: "studio.png",
  });
  assert.deepEqual(changeFromApi({ background: "blur:7", mirror: "on" }, CURRENT, CTX), {
    background: "blur:7",
    mirror: true,
  });
  assert.deepEqual(changeFromApi({ fps: "camera", despill: "off", threshold: 0.4 }, CURRENT, CTX), {
    fps: null,
    despill: null,
    threshold: 0.4,
  });
  assert.deepEqual(changeFromApi({ smooth: 0.5, tighten: "0.2,0.8" }, CURRENT, CTX).mask, {
    upsample: "guided",
    smoothing: 0.5,
    hold: 0.5,
    tighten: [0.2, 0.8],
  });
  assert.deepEqual(changeFromApi({ "light-wrap": 0.6 }, CURRENT, CTX).mask?.lightWrap, 0.6);
  assert.deepEqual(changeFromApi({ privacy: true }, CURRENT, CTX), { privacy: true });
});

Deno.test("changeFromApi takes frame as auto/off or a switch's true/false, and frame-zoom 1-4", () => {
  for (const value of ["auto", true, "on", "true"]) {
    assert.deepEqual(changeFromApi({ frame: value }, CURRENT, CTX), { frame: "auto" }, `${value}`);
  }
  for (const value of ["off", false, "false"]) {
    assert.deepEqual(changeFromApi({ frame: value }, CURRENT, CTX), { frame: "off" }, `${value}`);
  }
  assert.deepEqual(changeFromApi({ "frame-zoom": 2.5 }, CURRENT, CTX), { frameZoom: 2.5 });
  assert.deepEqual(changeFromApi({ "frame-zoom": "1" }, CURRENT, CTX), { frameZoom: 1 });
  assert.deepEqual(changeFromApi({ "frame-zoom": 4 }, CURRENT, CTX), { frameZoom: 4 });
  assert.deepEqual(changeFromApi({ frame: "auto", "frame-zoom": 2 }, CURRENT, CTX), {
    frame: "auto",
    frameZoom: 2,
  });
  assert.ok(API_KEYS.includes("frame") && API_KEYS.includes("frame-zoom"));
});

Deno.test("changeFromApi refuses paths, unknown names and bad values, one line each", () => {
  for (
    const [body, pattern] of [
      [{ background: "/etc/passwd" }, /Unknown background "\/etc\/passwd"/],
      [{ background: "../backgrounds/studio.png" }, /Unknown background/],
      [{ background: "beach.jpg" }, /GET \/api\/backgrounds/],
      [{ model: "/tmp/x.onnx" }, /Unknown model .*: use landscape or selfie/],
      [{ blur: 0 }, /Invalid blur 0: use a whole number from 1 to 100/],
      [{ blur: 20, color: "#fff" }, /Choose one background/],
      [{ mirror: 1 }, /Invalid mirror 1: use true or false/],
      [{ fps: 500 }, /Invalid fps 500: use a number from 1 to 240/],
      [{ tighten: [0.8, 0.2] }, /Invalid tighten/],
      [{ despill: "red" }, /Invalid despill "red"/],
      [{ upsample: "nearest" }, /Invalid upsample/],
      [{ colour: "blue" }, /Invalid colour "blue": use #RRGGBB/],
      [{ frames: 3 }, /Unknown setting "frames"/],
      [{ frame: "zoom" }, /^Invalid frame "zoom": use auto or off \(or true or false\)$/],
      [{ frame: 1 }, /^Invalid frame 1: use auto or off/],
      [{ frame: null }, /^Invalid frame null: use auto or off/],
      [{ "frame-zoom": 0.5 }, /^Invalid frame-zoom 0\.5: use a number from 1 to 4, e\.g\. 1\.6$/],
      [{ "frame-zoom": 5 }, /^Invalid frame-zoom 5: use a number from 1 to 4/],
      [{ "frame-zoom": "x" }, /^Invalid frame-zoom "x": use a number from 1 to 4/],
      [{ frame: "auto", "frame-zoom": null }, /^Invalid frame-zoom null/],
      [{}, /at least one setting/],
      [[1], /a JSON object/],
      [null, /a JSON object/],
    ] as const
  ) {
    assert.throws(
      () => changeFromApi(body, CURRENT, CTX),
      (e: Error) =>
        e instanceof ApiSettingsError && pattern.test(e.message) && !e.message.includes("\n"),
      JSON.stringify(body),
    );
  }
});

Deno.test("blurOf reads the strength of a blur spec", () => {
  assert.equal(blurOf("blur:40"), 40);
  assert.equal(blurOf("blur"), 12);
  assert.equal(blurOf("#ffffff"), null);
});
