import assert from "node:assert/strict";
import { defaultSettings } from "../pipeline/settings.ts";
import { ApiSettingsError, blurOf, changeFromApi, settingsToApi } from "./api_settings.ts";

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
  });
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
