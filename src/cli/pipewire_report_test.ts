/**
 * The PipeWire lines of `doctor` and `devices` from made-up facts, and the browser settings read
 * from made-up profiles (a real daemon: `tests/pipewire_camera_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  chromiumFlag,
  findBrowsers,
  firefoxPref,
  pipewireChecks,
  type PipewireFacts,
  pipewireLines,
} from "./pipewire_report.ts";

const RUNNING: PipewireFacts = {
  library: "0.3.65",
  libraryError: null,
  running: true,
  socket: "/run/user/1000/pipewire-0",
  reason: null,
  sessionManager: "wireplumber",
  portal: "/usr/libexec/xdg-desktop-portal",
  accessBackends: ["gtk"],
  browsers: [],
};

Deno.test("firefoxPref() reads user.js over prefs.js, the last line winning", () => {
  const on = 'user_pref("media.webrtc.camera.allow-pipewire", true);';
  const off = 'user_pref("media.webrtc.camera.allow-pipewire", false);';
  assert.equal(firefoxPref(null, null), null);
  assert.equal(firefoxPref(`${on}\n`, null), true);
  assert.equal(firefoxPref(`${on}\n${off}\n`, null), false);
  assert.equal(firefoxPref(on, off), false);
  assert.equal(firefoxPref('user_pref("other", true);', null), null);
});

Deno.test("chromiumFlag() reads the flag from Local State", () => {
  const state = (list: string[]) => JSON.stringify({ browser: { enabled_labs_experiments: list } });
  assert.equal(chromiumFlag(state(["enable-webrtc-pipewire-camera@1"])), true);
  assert.equal(chromiumFlag(state(["enable-webrtc-pipewire-camera@2"])), false);
  assert.equal(chromiumFlag(state(["something@1"])), null);
  assert.equal(chromiumFlag("not json"), null);
  assert.equal(chromiumFlag(null), null);
});

Deno.test("findBrowsers() finds Firefox profiles and Chromium-family browsers under HOME", async () => {
  const home = await Deno.makeTempDir();
  try {
    const profile = join(home, "snap/firefox/common/.mozilla/firefox/x.default");
    await Deno.mkdir(profile, { recursive: true });
    await Deno.writeTextFile(
      join(profile, "prefs.js"),
      'user_pref("media.webrtc.camera.allow-pipewire", true);',
    );
    await Deno.mkdir(join(home, ".config/google-chrome"), { recursive: true });
    await Deno.writeTextFile(join(home, ".config/google-chrome/Local State"), "{}");
    assert.deepEqual(findBrowsers(home), [
      { name: "Firefox", where: profile, enabled: true },
      {
        name: "Google Chrome",
        where: join(home, ".config/google-chrome/Local State"),
        enabled: null,
      },
    ]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("pipewireChecks(): running is ok; missing fails only when the PipeWire camera is used", () => {
  const ok = pipewireChecks(RUNNING, { needed: true, distro: "debian" });
  assert.deepEqual(ok.map((c) => c.status), ["ok", "ok", "ok"]);
  const down = { ...RUNNING, running: false, reason: "nothing answers" };
  assert.equal(pipewireChecks(down, { needed: true, distro: "debian" })[0]!.status, "fail");
  const unused = pipewireChecks(down, { needed: false, distro: "debian" });
  assert.equal(unused[0]!.status, "ok");
  assert.match(unused[0]!.text, /^the PipeWire camera \(-v pipewire\) is unavailable: /);
  const noLib = { ...RUNNING, library: null, libraryError: "Cannot load libpipewire" };
  assert.equal(
    pipewireChecks(noLib, { needed: true, distro: "debian" })[0]!.fix,
    "sudo apt install pipewire libpipewire-0.3-0",
  );
  const bare = { ...RUNNING, sessionManager: null, portal: null };
  assert.deepEqual(
    pipewireChecks(bare, { needed: false, distro: "debian" }).map((c) => c.status),
    ["ok", "warn", "warn"],
  );
});

Deno.test("pipewireChecks() and pipewireLines() give each browser's words", () => {
  const facts = {
    ...RUNNING,
    browsers: [
      { name: "Firefox", where: "/h/.mozilla/firefox/a.default", enabled: false },
      { name: "Chromium", where: "/h/.config/chromium/Local State", enabled: true },
    ],
  };
  const [firefox, chromium] = pipewireChecks(facts, { needed: false, distro: "debian" }).slice(3);
  assert.deepEqual(firefox, {
    status: "warn",
    text:
      "Firefox (profile a.default) does not read PipeWire cameras: media.webrtc.camera.allow-pipewire is off",
    fix: "open about:config, set media.webrtc.camera.allow-pipewire to true, restart Firefox",
  });
  assert.equal(chromium!.status, "ok");
  const lines = pipewireLines(facts);
  assert.equal(lines[0], "PipeWire camera (no kernel module needed):");
  assert.ok(
    lines.includes("  Chromium, Chrome: chrome://flags/#enable-webrtc-pipewire-camera → Enabled"),
  );
});
