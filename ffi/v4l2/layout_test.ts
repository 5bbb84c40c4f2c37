/**
 * Checks every struct size, offset, ioctl number, FourCC and flag in
 * `layout.ts` against a C probe compiled at test time with the system gcc and
 * `linux/videodev2.h`. Skipped (with a note) when gcc or the header is missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CProbe, haveGcc } from "../../tests/fixtures/c_probe.ts";
import * as layout from "./layout.ts";

/** A C expression per TypeScript constant (every key must be listed). */
const STRUCTS: Record<string, { struct: string; base?: string; members: Record<string, string> }> =
  {
    CAPABILITY: {
      struct: "struct v4l2_capability",
      members: {
        driver: "driver",
        card: "card",
        busInfo: "bus_info",
        version: "version",
        capabilities: "capabilities",
        deviceCaps: "device_caps",
      },
    },
    FMTDESC: {
      struct: "struct v4l2_fmtdesc",
      members: {
        index: "index",
        type: "type",
        flags: "flags",
        description: "description",
        pixelformat: "pixelformat",
      },
    },
    FRMSIZEENUM: {
      struct: "struct v4l2_frmsizeenum",
      members: {
        index: "index",
        pixelFormat: "pixel_format",
        type: "type",
        discreteWidth: "discrete.width",
        discreteHeight: "discrete.height",
        minWidth: "stepwise.min_width",
        maxWidth: "stepwise.max_width",
        stepWidth: "stepwise.step_width",
        minHeight: "stepwise.min_height",
        maxHeight: "stepwise.max_height",
        stepHeight: "stepwise.step_height",
      },
    },
    FRMIVALENUM: {
      struct: "struct v4l2_frmivalenum",
      members: {
        index: "index",
        pixelFormat: "pixel_format",
        width: "width",
        height: "height",
        type: "type",
        discreteNumerator: "discrete.numerator",
        discreteDenominator: "discrete.denominator",
        minNumerator: "stepwise.min.numerator",
        minDenominator: "stepwise.min.denominator",
        maxNumerator: "stepwise.max.numerator",
        maxDenominator: "stepwise.max.denominator",
        stepNumerator: "stepwise.step.numerator",
        stepDenominator: "stepwise.step.denominator",
      },
    },
    FORMAT: { struct: "struct v4l2_format", members: { type: "type", fmt: "fmt" } },
    PIX_FORMAT: {
      struct: "struct v4l2_pix_format",
      // Also checked at its place inside struct v4l2_format.
      base: "struct v4l2_format|fmt.pix.",
      members: {
        width: "width",
        height: "height",
        pixelformat: "pixelformat",
        field: "field",
        bytesperline: "bytesperline",
        sizeimage: "sizeimage",
        colorspace: "colorspace",
        priv: "priv",
        flags: "flags",
        ycbcrEnc: "ycbcr_enc",
        quantization: "quantization",
        xferFunc: "xfer_func",
      },
    },
    REQUESTBUFFERS: {
      struct: "struct v4l2_requestbuffers",
      members: { count: "count", type: "type", memory: "memory", capabilities: "capabilities" },
    },
    BUFFER: {
      struct: "struct v4l2_buffer",
      members: {
        index: "index",
        type: "type",
        bytesused: "bytesused",
        flags: "flags",
        field: "field",
        timestampSec: "timestamp.tv_sec",
        timestampUsec: "timestamp.tv_usec",
        sequence: "sequence",
        memory: "memory",
        offset: "m.offset",
        length: "length",
      },
    },
    STREAMPARM: { struct: "struct v4l2_streamparm", members: { type: "type", parm: "parm" } },
    CAPTUREPARM: {
      struct: "struct v4l2_captureparm",
      base: "struct v4l2_streamparm|parm.capture.",
      members: {
        capability: "capability",
        mode: "capturemode",
        timeperframeNumerator: "timeperframe.numerator",
        timeperframeDenominator: "timeperframe.denominator",
        extendedmode: "extendedmode",
        buffers: "readbuffers",
      },
    },
    POLLFD: {
      struct: "struct pollfd",
      members: { fd: "fd", events: "events", revents: "revents" },
    },
  };

/** Constant groups: TS key → C macro (the prefix plus the key unless listed). */
const CONSTANTS: Record<string, { prefix: string; names?: Record<string, string> }> = {
  IOCTL: { prefix: "VIDIOC_" },
  BUF_TYPE: { prefix: "V4L2_BUF_TYPE_" },
  MEMORY: { prefix: "V4L2_MEMORY_" },
  FIELD: { prefix: "V4L2_FIELD_" },
  CAP: { prefix: "V4L2_CAP_" },
  FMT_FLAG: { prefix: "V4L2_FMT_FLAG_" },
  BUF_FLAG: { prefix: "V4L2_BUF_FLAG_" },
  FRM_TYPE: { prefix: "V4L2_FRMSIZE_TYPE_" },
  COLORSPACE: { prefix: "V4L2_COLORSPACE_" },
  YCBCR_ENC: {
    prefix: "V4L2_YCBCR_",
    names: { DEFAULT: "V4L2_YCBCR_ENC_DEFAULT", ENC_601: "V4L2_YCBCR_ENC_601" },
  },
  QUANTIZATION: { prefix: "V4L2_QUANTIZATION_" },
  XFER_FUNC: { prefix: "V4L2_XFER_FUNC_", names: { XFER_709: "V4L2_XFER_FUNC_709" } },
  PIX_FMT: { prefix: "V4L2_PIX_FMT_" },
  POLL: { prefix: "POLL" },
  O: { prefix: "O_" },
  MMAP: { prefix: "" },
  ERRNO: { prefix: "" },
};

/** Builds the probe source and the expected value of every line it prints. */
function cProbe(): CProbe {
  const probe = new CProbe();
  const add = (key: string, cExpr: string, value: number): void => probe.add(key, cExpr, value);
  const all = layout as unknown as Record<string, Record<string, number>>;
  for (const [name, spec] of Object.entries(STRUCTS)) {
    const ts = all[name]!;
    for (const [key, value] of Object.entries(ts)) {
      if (key === "size") {
        add(`${name}.size`, `sizeof(${spec.struct})`, value);
        continue;
      }
      const member = spec.members[key];
      if (member === undefined) throw new Error(`layout_test: no C member for ${name}.${key}`);
      add(`${name}.${key}`, `offsetof(${spec.struct}, ${member})`, value);
      if (spec.base !== undefined) {
        const [outer, path] = spec.base.split("|") as [string, string];
        const outerName = outer === "struct v4l2_format" ? "FORMAT.fmt" : "STREAMPARM.parm";
        const [group, field] = outerName.split(".") as [string, string];
        add(
          `${name}.${key}@outer`,
          `offsetof(${outer}, ${path}${member})`,
          all[group]![field]! + value,
        );
      }
    }
  }
  for (const [name, spec] of Object.entries(CONSTANTS)) {
    for (const [key, value] of Object.entries(all[name]!)) {
      add(`${name}.${key}`, spec.names?.[key] ?? `${spec.prefix}${key}`, value);
    }
  }
  add("PIX_FMT_PRIV_MAGIC", "V4L2_PIX_FMT_PRIV_MAGIC", layout.PIX_FMT_PRIV_MAGIC);
  add("CAP_TIMEPERFRAME", "V4L2_CAP_TIMEPERFRAME", layout.CAP_TIMEPERFRAME);
  add("FRMIVAL_TYPE.DISCRETE", "V4L2_FRMIVAL_TYPE_DISCRETE", layout.FRM_TYPE.DISCRETE);
  add("FRMIVAL_TYPE.CONTINUOUS", "V4L2_FRMIVAL_TYPE_CONTINUOUS", layout.FRM_TYPE.CONTINUOUS);
  add("FRMIVAL_TYPE.STEPWISE", "V4L2_FRMIVAL_TYPE_STEPWISE", layout.FRM_TYPE.STEPWISE);
  add("sizeof(v4l2_outputparm)", "sizeof(struct v4l2_outputparm)", layout.CAPTUREPARM.size);
  add(
    "offsetof(v4l2_outputparm.timeperframe)",
    "offsetof(struct v4l2_outputparm, timeperframe)",
    layout.CAPTUREPARM.timeperframeNumerator,
  );
  add(
    "offsetof(v4l2_outputparm.writebuffers)",
    "offsetof(struct v4l2_outputparm, writebuffers)",
    layout.CAPTUREPARM.buffers,
  );
  add("fourcc(YUYV)", "v4l2_fourcc('Y','U','Y','V')", layout.fourcc("YUYV"));
  add("fourcc(MJPG)", "v4l2_fourcc('M','J','P','G')", layout.fourcc("MJPG"));
  add("fourcc(YU12)", "v4l2_fourcc('Y','U','1','2')", layout.fourcc("YU12"));
  add("fourcc(NV12)", "v4l2_fourcc('N','V','1','2')", layout.fourcc("NV12"));
  add("sizeof(long)", "sizeof(long)", 8);
  add("sizeof(size_t)", "sizeof(size_t)", 8);
  add("sizeof(nfds_t)", "sizeof(nfds_t)", 8);
  add("sizeof(mode_t)", "sizeof(mode_t)", 4);
  return probe;
}

Deno.test({
  name: "layout.ts matches linux/videodev2.h (sizes, offsets, ioctls, FourCCs, flags)",
  // scripts/test.sh installs gcc and linux-libc-dev; under CI a missing compiler fails the test.
  ignore: !Deno.env.get("CI") && !(await haveGcc("/usr/include/linux/videodev2.h")),
  async fn() {
    assert.ok(
      await haveGcc("/usr/include/linux/videodev2.h"),
      "gcc and linux/videodev2.h are needed (apt install gcc linux-libc-dev)",
    );
    const probe = cProbe();
    const actual = await probe.run([
      "errno.h",
      "fcntl.h",
      "poll.h",
      "sys/mman.h",
      "linux/videodev2.h",
    ]);
    // Compare as one object so a failure shows every mismatch at once.
    assert.deepEqual(actual, probe.expected);
  },
});

Deno.test("fourcc() and fourccText() round-trip", () => {
  assert.deepEqual(layout.fourcc("YUYV"), layout.PIX_FMT.YUYV);
  assert.deepEqual(layout.fourccText(layout.PIX_FMT.MJPEG), "MJPG");
  assert.deepEqual(layout.fourccText(layout.fourcc("Y10 ")), "Y10 ");
});
