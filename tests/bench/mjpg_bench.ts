/**
 * `deno task bench:stages`: what `--out-format MJPG` costs per frame on top of YUYV: the
 * limited → full-range unpack to 4:2:2 planes and libturbojpeg's encode at quality 90, on a
 * camera-like picture (texture, so the encode does real work).
 */

import { JpegEncoder } from "../../ffi/turbojpeg/mod.ts";
import { makeFrame } from "../../src/frame/frame.ts";
import { yuyvToFrame } from "../../src/image/planar.ts";
import { MJPG_QUALITY } from "../../src/device/loopback_sink.ts";

for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
  const yuyv = new Uint8Array(width * height * 2);
  for (let i = 0; i < yuyv.length; i += 2) {
    const p = i >> 1;
    yuyv[i] = 16 + ((((p % width) >> 3) * 7 + ((p / width) | 0) * 3) % 219);
    yuyv[i + 1] = 100 + ((p >> 5) % 56);
  }
  const frame = makeFrame({ width, height }, "422");
  const encoder = new JpegEncoder();
  Deno.bench(`MJPG out ${width}x${height}: unpack + encode q${MJPG_QUALITY}`, () => {
    yuyvToFrame(yuyv, frame);
    encoder.encodeYuv(frame, { width, height, subsampling: "422", quality: MJPG_QUALITY });
  });
}
