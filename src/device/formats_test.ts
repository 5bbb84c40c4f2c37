import assert from "node:assert/strict";
import { PIX_FMT } from "../../ffi/v4l2/mod.ts";
import { devicePath, outputPixelFormat, parsePixelFormat, rawFrameBytes } from "./formats.ts";

Deno.test("parsePixelFormat() takes names in any case and raw FourCCs", () => {
  assert.equal(parsePixelFormat("MJPG"), PIX_FMT.MJPEG);
  assert.equal(parsePixelFormat("mjpeg"), PIX_FMT.MJPEG);
  assert.equal(parsePixelFormat("yuy2"), PIX_FMT.YUYV);
  assert.equal(parsePixelFormat("I420"), PIX_FMT.YUV420);
  assert.equal(parsePixelFormat("YU12"), PIX_FMT.YUV420);
  assert.equal(parsePixelFormat("UYVY"), PIX_FMT.UYVY);
  assert.throws(() => parsePixelFormat("H.264"), /use MJPG, YUYV, NV12, I420 or a four-character/);
});

Deno.test("outputPixelFormat() maps the loopback formats", () => {
  assert.equal(outputPixelFormat("YUYV"), PIX_FMT.YUYV);
  assert.equal(outputPixelFormat("I420"), PIX_FMT.YUV420);
  assert.equal(outputPixelFormat("NV12"), PIX_FMT.NV12);
});

Deno.test("devicePath() expands bare names and numbers", () => {
  assert.equal(devicePath("video0"), "/dev/video0");
  assert.equal(devicePath("12"), "/dev/video12");
  assert.equal(devicePath("/dev/v4l/by-id/x"), "/dev/v4l/by-id/x");
  assert.equal(devicePath("videoX"), "videoX");
});

Deno.test("rawFrameBytes() sizes packed and 4:2:0 frames, null for compressed", () => {
  assert.equal(rawFrameBytes(PIX_FMT.YUYV, { width: 640, height: 480 }), 614400);
  assert.equal(rawFrameBytes(PIX_FMT.NV12, { width: 640, height: 480 }), 460800);
  assert.equal(rawFrameBytes(PIX_FMT.YUV420, { width: 640, height: 480 }), 460800);
  assert.equal(rawFrameBytes(PIX_FMT.MJPEG, { width: 640, height: 480 }), null);
});
