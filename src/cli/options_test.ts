import assert from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { DEFAULT_BACKGROUND, parseColour, parseLiveOptions } from "./options.ts";

Deno.test("parseLiveOptions() gives the defaults: /dev/video0, first loopback, blur, landscape", () => {
  const o = parseLiveOptions([]);
  assert.equal(o.capture, "/dev/video0");
  assert.equal(o.virtual, null);
  assert.equal(o.background, DEFAULT_BACKGROUND);
  assert.equal(o.background, "blur");
  assert.equal(o.model, "landscape");
  assert.equal(o.outputFormat, "YUYV");
  assert.equal(o.threads, 1);
  assert.equal(o.mirror, false);
  assert.equal(o.threshold, null);
  assert.equal(o.upsample, "guided");
  assert.equal(o.smooth, 0.8);
  assert.deepEqual(o.tighten, [0.25, 0.75]);
  assert.equal(o.lightWrap, null);
  assert.equal(o.despill, null);
  assert.equal(o.idle, true);
  assert.equal(o.everyFrame, false);
});

Deno.test("parseLiveOptions() reads --no-idle and --every-frame", () => {
  const o = parseLiveOptions(["--no-idle", "--every-frame"]);
  assert.equal(o.idle, false);
  assert.equal(o.everyFrame, true);
});

Deno.test("parseLiveOptions() reads the picture-quality options", () => {
  const o = parseLiveOptions([
    "--upsample",
    "bilinear",
    "--smooth",
    "0",
    "--tighten",
    "0.3,0.6",
    "--light-wrap",
    "0.5",
    "--despill",
    "green",
  ]);
  assert.equal(o.upsample, "bilinear");
  assert.equal(o.smooth, 0);
  assert.deepEqual(o.tighten, [0.3, 0.6]);
  assert.equal(o.lightWrap, 0.5);
  assert.equal(o.despill, "green");
  assert.equal(parseLiveOptions(["--upsample", "bilateral"]).upsample, "bilateral");
  assert.equal(parseLiveOptions(["--tighten", "off"]).tighten, null);
  assert.equal(parseLiveOptions(["--despill", "Blue"]).despill, "blue");
  assert.equal(parseLiveOptions(["--despill", "off"]).despill, null);
  assert.equal(parseLiveOptions(["--light-wrap", "0"]).lightWrap, 0);
});

Deno.test("parseLiveOptions() accepts backscrub's short flags", () => {
  const o = parseLiveOptions([
    "-c",
    "video2",
    "-v",
    "/dev/video10",
    "-b",
    "beach.jpg",
    "-m",
    "selfie",
    "-H",
    "-V",
    "--cg",
    "1280x720",
    "--vg",
    "640x360",
    "-f",
    "mjpg",
    "-t",
    "2",
    "-d",
    "-d",
    "-s",
  ]);
  assert.equal(o.capture, "video2");
  assert.equal(o.virtual, "/dev/video10");
  assert.equal(o.background, "beach.jpg");
  assert.equal(o.model, "selfie");
  assert.ok(o.mirror && o.flip && o.progress);
  assert.deepEqual(o.captureSize, { width: 1280, height: 720 });
  assert.deepEqual(o.virtualSize, { width: 640, height: 360 });
  assert.equal(o.format, "MJPG");
  assert.equal(o.threads, 2);
  assert.equal(o.debug, 2);
  assert.equal(parseLiveOptions(["-p", "bgblur:7"]).background, "blur:7");
  assert.equal(parseLiveOptions(["-p", "bgblur"]).background, "blur");
});

Deno.test("parseLiveOptions() reads the long options naturally", () => {
  assert.equal(parseLiveOptions(["--blur"]).background, "blur");
  assert.equal(parseLiveOptions(["--blur", "20"]).background, "blur:20");
  assert.equal(parseLiveOptions(["--blur", "--mirror"]).mirror, true);
  assert.equal(parseLiveOptions(["--color", "#0F0"]).background, "#00ff00");
  assert.equal(parseLiveOptions(["--background", "off"]).background, "off");
  const o = parseLiveOptions([
    "--fps",
    "15",
    "--threshold",
    "0.6",
    "--frames",
    "300",
    "--out-format",
    "nv12",
  ]);
  assert.equal(o.fps, 15);
  assert.equal(o.threshold, 0.6);
  assert.equal(o.frames, 300);
  assert.equal(o.outputFormat, "NV12");
  assert.equal(parseLiveOptions(["-f", "YUYV"]).format, "YUYV");
  assert.equal(parseLiveOptions(["--out-format", "YU12"]).outputFormat, "I420");
});

Deno.test("parseLiveOptions() rejects mistakes with one line naming the flag", () => {
  const bad: [string[], RegExp][] = [
    [["--cg", "1280"], /Invalid --cg "1280": use WIDTHxHEIGHT/],
    [["--vg", "641x480"], /even sizes/],
    [["-t", "0"], /Invalid --threads "0"/],
    [["--fps", "fast"], /Invalid --fps "fast"/],
    [["--threshold", "2"], /between 0 and 1/],
    [["--color", "green!"], /Invalid --color "green!"/],
    [["-p", "sharpen"], /only post-processing is bgblur/],
    [["-b", "x.png", "--blur"], /Choose one background/],
    [["--out-format", "RGB3"], /use YUYV, I420, NV12 or MJPG/],
    [["--upsample", "nearest"], /Invalid --upsample "nearest": use guided, bilateral or bilinear/],
    [["--smooth", "1"], /Invalid --smooth "1": use a number from 0 to 0.95/],
    [["--smooth", "much"], /Invalid --smooth/],
    [["--tighten", "0.8,0.2"], /Invalid --tighten "0.8,0.2"/],
    [["--tighten", "0.5"], /use LOW,HIGH/],
    [["--light-wrap", "2"], /Invalid --light-wrap "2"/],
    [["--despill", "red"], /Invalid --despill "red": use green, blue or off/],
    [["-f", "M"], /FourCC/],
    [["--bogus"], /Unknown option '--bogus'/],
    // A negative number is the option's value, checked like any other (not "Unknown option").
    [["--blur", "-3"], /^Invalid --blur "-3": use a whole number from 1 to 100$/],
    [["--fps", "-5"], /^Invalid --fps "-5": use a whole number from 1 to 240$/],
    [["-t", "-1"], /^Invalid --threads "-1": use a whole number from 1 to 64$/],
    [["--threshold", "-0.5"], /^Invalid --threshold "-0.5": use a number between 0 and 1/],
    [["--cg", "16384x16384"], /even sizes from 16x16 to 7680x4320/],
    [["-c"], /argument missing|requires|value/i],
    [["extra"], /Unexpected argument "extra"/],
  ];
  for (const [args, re] of bad) {
    assert.throws(() => parseLiveOptions(args), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${args}: ${e}`);
      assert.match(e.message, re);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("parseColour() normalises #RGB and #RRGGBB", () => {
  assert.equal(parseColour("#ABC"), "#aabbcc");
  assert.equal(parseColour("00b140"), "#00b140");
});
