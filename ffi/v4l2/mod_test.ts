import assert from "node:assert/strict";
import { ERRNO, V4l2Error, VideoDevice } from "./mod.ts";

Deno.test("VideoDevice.open() reports ENOENT for a missing node", () => {
  const error = assert.throws(
    () => VideoDevice.open("/dev/video-does-not-exist"),
    (e: unknown) => e instanceof V4l2Error && e.errno === ERRNO.ENOENT && e.code === "ENOENT",
  );
  void error;
});

Deno.test("VideoDevice.open() reports ENOTTY for a file that is not a V4L2 device", () => {
  assert.throws(
    () => VideoDevice.open("/dev/null"),
    (e: unknown) =>
      e instanceof V4l2Error && e.errno === ERRNO.ENOTTY &&
      e.message === 'Cannot query the device (VIDIOC_QUERYCAP) on "/dev/null": ' +
          "not a V4L2 device (inappropriate ioctl) (ENOTTY)",
  );
});
