/**
 * `deno task bench:stages`: what the control panel's live preview costs the loop per frame. With
 * no page open the tap is one comparison (nothing is copied or encoded); a watched frame costs a
 * 2×2 average to 640x360 and a libturbojpeg encode, at the preview's rate (10 fps by default), not
 * the camera's.
 */

import { makeFrame } from "../../src/frame/frame.ts";
import { Preview } from "../../src/control/preview.ts";
import type { OutputView } from "../../src/pipeline/loop.ts";

const camera = makeFrame({ width: 1280, height: 720 }, "422");
camera.y.set(camera.y.map((_, i) => (i * 7919) % 251));
const view: OutputView = {
  index: 0,
  yuyv: new Uint8Array(1280 * 720 * 2).map((_, i) => 16 + ((i * 31) % 219)),
  frame: null,
  camera,
  crop: { x: 0, y: 0, w: 1280, h: 720 },
  alpha: new Uint8Array(1280 * 720).fill(255),
  mirror: false,
  flip: false,
};

const idle = new Preview();
Deno.bench("preview tap, nobody watching (720p)", { group: "preview", baseline: true }, () => {
  idle.tap(view);
});

const watched = new Preview();
Deno.bench("preview tap, a page watching the output (720p → 640x360 JPEG)", {
  group: "preview",
}, async (b) => {
  const next = watched.next("output");
  b.start();
  watched.tap(view);
  b.end();
  await next;
});
