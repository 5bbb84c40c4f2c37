import assert from "node:assert/strict";
import { DeviceError } from "../device/errors.ts";
import { cameraChangeLine } from "./camera_status.ts";

const PATH = "/dev/video0";

Deno.test("cameraChangeLine() says in one line what happened to the camera and what backscrub does meanwhile", () => {
  const lost = new DeviceError(
    "disconnected",
    `Cannot capture from "${PATH}": the device stopped answering (ENODEV)`,
    { path: PATH, purpose: "camera" },
  );
  assert.equal(
    cameraChangeLine({
      state: "lost",
      previous: "streaming",
      error: lost,
      awayMs: null,
      path: PATH,
    }),
    'backscrub: camera lost: Cannot capture from "/dev/video0": the device stopped answering (ENODEV); sending the last frame, then a "camera unavailable" notice, and looking for it until it is back',
  );
  const busy = new DeviceError(
    "busy",
    `Cannot start "${PATH}": device busy, in use by cheese (pid 42)`,
    {
      path: PATH,
      purpose: "camera",
      holders: { others: [{ pid: 42, comm: "cheese" }], self: false },
    },
  );
  assert.equal(
    cameraChangeLine({
      state: "busy",
      previous: "streaming",
      error: busy,
      awayMs: null,
      path: PATH,
    }),
    'backscrub: camera busy: Cannot start "/dev/video0": device busy, in use by cheese (pid 42) (close it, or choose your camera with -c; backscrub devices lists them); sending a "camera unavailable" notice and trying again until it is free',
  );
  const silent = new DeviceError("timeout", `No frame from "${PATH}" for 2 s`, {
    path: PATH,
    purpose: "camera",
  });
  assert.match(
    cameraChangeLine({
      state: "silent",
      previous: "streaming",
      error: silent,
      awayMs: null,
      path: PATH,
    }),
    /^backscrub: camera silent: No frame from "\/dev\/video0" for 2 s; sending the last frame, then/,
  );
  assert.equal(
    cameraChangeLine({
      state: "streaming",
      previous: "lost",
      error: null,
      awayMs: 4240,
      path: "/dev/video3",
    }),
    "backscrub: camera back: /dev/video3 sends frames again after 4.2 s",
  );
});
