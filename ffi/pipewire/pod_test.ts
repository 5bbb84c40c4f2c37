/**
 * The pods of `pod.ts` byte for byte against SPA's own header-only builders
 * (`spa_pod_builder_add_object`, `SPA_POD_CHOICE_RANGE_Int`, ...), compiled at test time with the
 * system gcc and the `libspa-0.2-dev` headers; and `parseVideoFormat` on pods SPA built. Skipped
 * without gcc or the headers, except under CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { haveGcc } from "../../tests/fixtures/c_probe.ts";
import { CI, pipewireCflags } from "../../tests/_pipewire.ts";
import {
  buffersPod,
  type BuffersSpec,
  frameLayout,
  metaHeaderPod,
  parseVideoFormat,
  videoFormatPod,
  type VideoFormatSpec,
} from "./pod.ts";

const cflags = await pipewireCflags();
const ignore = !CI && (cflags === null || !(await haveGcc()));
if (ignore) console.warn("pod_test: C probe skipped: no gcc or no libspa-0.2-dev headers");

/** The C expression that builds the same `EnumFormat` pod as {@linkcode videoFormatPod}. */
function cVideoFormat(s: VideoFormatSpec, param = "SPA_PARAM_EnumFormat"): string {
  return `spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_Format, ${param},
    SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
    SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
    SPA_FORMAT_VIDEO_format, SPA_POD_Id(SPA_VIDEO_FORMAT_${s.format}),
    SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&SPA_RECTANGLE(${s.width}, ${s.height})),
    SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&SPA_FRACTION(${s.fps}, 1)),
    SPA_FORMAT_VIDEO_colorRange, SPA_POD_Id(SPA_VIDEO_COLOR_RANGE_16_235),
    SPA_FORMAT_VIDEO_colorMatrix, SPA_POD_Id(SPA_VIDEO_COLOR_MATRIX_BT601))`;
}

function cBuffers(s: BuffersSpec): string {
  const [d, lo, hi] = s.buffers;
  return `spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
    SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(${d}, ${lo}, ${hi}),
    SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
    SPA_PARAM_BUFFERS_size, SPA_POD_Int(${s.size}),
    SPA_PARAM_BUFFERS_stride, SPA_POD_Int(${s.stride}),
    SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemFd) | (1 << SPA_DATA_MemPtr)))`;
}

const META_HEADER = `spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
    SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
    SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)))`;

/** A format as a consumer may send it: the pixel format as an enum choice, no colour keys. */
const CHOICE_FORMAT = `spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_Format, SPA_PARAM_Format,
    SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
    SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
    SPA_FORMAT_VIDEO_format, SPA_POD_CHOICE_ENUM_Id(3, SPA_VIDEO_FORMAT_NV12, SPA_VIDEO_FORMAT_NV12, SPA_VIDEO_FORMAT_I420),
    SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(&SPA_RECTANGLE(1280, 720), &SPA_RECTANGLE(1, 1), &SPA_RECTANGLE(4096, 4096)),
    SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(&SPA_FRACTION(25, 1), &SPA_FRACTION(0, 1), &SPA_FRACTION(120, 1)))`;

/**
 * Builds each C expression into a fresh SPA builder and prints the pod's bytes in hex, one line
 * each.
 */
async function cPods(exprs: readonly string[]): Promise<string[]> {
  const body = exprs.map((e) =>
    `  { uint8_t buf[4096]; struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct spa_pod *p = ${e};
    hex(p); }`
  ).join("\n");
  const source = `#include <stdio.h>
#include <spa/param/video/format-utils.h>
#include <spa/param/buffers.h>
#include <spa/buffer/buffer.h>
#include <spa/buffer/meta.h>
#include <spa/pod/builder.h>

static void hex(const struct spa_pod *p) {
  const uint8_t *bytes = (const uint8_t *)p;
  for (uint32_t i = 0; i < SPA_ROUND_UP_N(SPA_POD_SIZE(p), 8); i++) printf("%02x", bytes[i]);
  printf("\\n");
}

int main(void) {
${body}
  return 0;
}
`;
  const dir = await Deno.makeTempDir({ prefix: "pod-probe-" });
  try {
    await Deno.writeTextFile(`${dir}/pods.c`, source);
    const cc = await new Deno.Command("gcc", {
      args: ["-std=gnu11", "-Wall", ...(cflags ?? []), "-o", `${dir}/pods`, `${dir}/pods.c`],
    }).output();
    if (!cc.success) throw new Error(`gcc failed:\n${new TextDecoder().decode(cc.stderr)}`);
    const run = await new Deno.Command(`${dir}/pods`).output();
    return new TextDecoder().decode(run.stdout).trim().split("\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (h) => parseInt(h, 16));
}

const FORMATS: VideoFormatSpec[] = [
  { format: "YUY2", width: 640, height: 480, fps: 30 },
  { format: "I420", width: 1280, height: 720, fps: 25 },
  { format: "NV12", width: 1920, height: 1080, fps: 60 },
  { format: "YUY2", width: 322, height: 181, fps: 1 },
];
const BUFFERS: BuffersSpec[] = [
  { buffers: [4, 2, 8], size: 640 * 480 * 2, stride: 1280 },
  { buffers: [8, 1, 32], ...frameLayout("NV12", 1920, 1080) },
];

Deno.test({
  name: "videoFormatPod(), buffersPod() and metaHeaderPod() match SPA's builder byte for byte",
  ignore,
  async fn() {
    const exprs = [
      ...FORMATS.map((f) => cVideoFormat(f)),
      cVideoFormat(FORMATS[1]!, "SPA_PARAM_Format"),
      ...BUFFERS.map(cBuffers),
      META_HEADER,
    ];
    const ours = [
      ...FORMATS.map((f) => videoFormatPod(f)),
      videoFormatPod(FORMATS[1]!, { param: "Format" }),
      ...BUFFERS.map(buffersPod),
      metaHeaderPod(),
    ].map(hex);
    assert.deepEqual(ours, await cPods(exprs));
  },
});

Deno.test({
  name: "parseVideoFormat() reads formats SPA built, choices by their default",
  ignore,
  async fn() {
    const pods = await cPods([
      ...FORMATS.map((f) => cVideoFormat(f, "SPA_PARAM_Format")),
      CHOICE_FORMAT,
    ]);
    assert.deepEqual(
      pods.slice(0, FORMATS.length).map((p) => parseVideoFormat(fromHex(p))),
      FORMATS,
    );
    assert.deepEqual(parseVideoFormat(fromHex(pods[FORMATS.length]!)), {
      format: "NV12",
      width: 1280,
      height: 720,
      fps: 25,
    });
  },
});

Deno.test("parseVideoFormat() refuses what is not a raw video format backscrub offers", () => {
  assert.equal(parseVideoFormat(new Uint8Array(8)), null);
  assert.equal(parseVideoFormat(metaHeaderPod()), null);
  // Truncated: the header promises more than there is.
  assert.equal(parseVideoFormat(videoFormatPod(FORMATS[0]!).subarray(0, 40)), null);
  const rgb = videoFormatPod(FORMATS[0]!);
  // The format's Id value sits after: object header (16), two Id props (2 × 24), key+flags, header.
  new DataView(rgb.buffer).setUint32(16 + 48 + 16, 15, true); // SPA_VIDEO_FORMAT_RGB
  assert.equal(parseVideoFormat(rgb), null);
});

Deno.test("frameLayout() gives each format's frame size and first-plane stride", () => {
  assert.deepEqual(frameLayout("YUY2", 640, 480), { size: 614400, stride: 1280 });
  assert.deepEqual(frameLayout("I420", 640, 480), { size: 460800, stride: 640 });
  assert.deepEqual(frameLayout("NV12", 1280, 720), { size: 1382400, stride: 1280 });
});
