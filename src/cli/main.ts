/**
 * The command line: `backscrub <command> [options]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename, dirname, extname, join } from "node:path";
import { OnnxRuntime } from "../../ffi/onnxruntime/mod.ts";
import { turbojpegInfo } from "../../ffi/turbojpeg/mod.ts";
import { inferManifest, type OutputKind } from "../models/manifest.ts";
import { writeAtomic } from "../models/resolve.ts";
import { fsErrorText, MediaFileError } from "../io/errors.ts";
import { isUserError, UsageError } from "./errors.ts";
import { explain, libraryStatus } from "./explain.ts";
import { segmentImage } from "./segment.ts";
import { DEMO_BACKGROUND, demoBackgroundAvailable, runDemo } from "./demo.ts";
import { runLive } from "./live.ts";
import { parseLiveOptions } from "./options.ts";
import { loadedLibraryFile, turbojpegVersion } from "./libraries.ts";
import { applyConfig, ConfigError } from "./config.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** backscrub's version (from deno.json). */
export const VERSION: string = denoJson.version;

const HELP =
  `backscrub ${VERSION}: a virtual webcam that finds the person and replaces the background

Usage:
  backscrub [options]                            run the virtual camera (camera → loopback)
  backscrub demo [-b BACKGROUND] [-o DIR]        the whole pipeline on a bundled portrait clip:
                                                 writes DIR/demo.mp4 and DIR/demo-preview.png
  backscrub devices [--json]                     list cameras and virtual cameras
                                                 (exit 1 if either is missing)
  backscrub doctor [options]                     check everything live use needs, one line
                                                 each with the fix (exit 0: it will work)
  backscrub ctl COMMAND [--pid N]                change a running backscrub live: status,
                                                 get, set KEY VALUE, save, backgrounds
                                                 (backscrub ctl --help)
  backscrub segment <image.png|.jpg> [options]   segment one photo
  backscrub convert <in.tflite> <out.onnx>       convert a TFLite model to ONNX
  backscrub --version | --help | -?

Virtual camera options (backscrub's flags, and long names):
  -c, --capture DEV|FILE  camera (/dev/video0 default, video0, 0) or a file: video, .y4m,
                          image, image sequence (frame_%04d.png, dir/*.png, a folder)
  -v, --virtual DEV|FILE  v4l2loopback device (default: the first one; without one, a
                          PipeWire camera when PipeWire runs), pipewire[:NAME] (a PipeWire
                          camera, no kernel module), or a file: .y4m, .mp4/.mkv/.webm
                          (ffmpeg), a folder/ for PNGs; null: discard the frames (try the
                          control panel without a loopback). Twice: both get the frames
                          (-v /dev/video10 -v pipewire)
      --loop              play the -c file as a live camera, again and again, at its own
                          frame rate (a picture: 25 fps)
      --http [ADDR:]PORT  the control panel and its API (default: 127.0.0.1 on a free port
                          for a camera or --loop; its address is printed); off: none
  -b, --background SPEC   blur[:N] (default: blur 12), off, #RRGGBB, an image (PNG/JPEG,
                          scaled to cover), an animated GIF or a video (looped); bare names
                          are looked up in backgrounds/ folders: studio.png bokeh.png office.png
      --blur [N]          mask-aware blur of your own background, strength N (1-100)
      --color #RRGGBB     a solid colour
  -p bgblur:N             backscrub's spelling of --blur N
  -m, --model NAME|PATH   landscape (default), selfie, or an .onnx/.tflite path
  -H, --mirror            mirror the output left-right
  -V, --flip              flip the output upside down
      --cg WxH            ask the camera for this size
      --vg WxH            output size (default: the camera's; another aspect is cropped)
  -f, --format FOURCC     camera pixel format, e.g. MJPG or YUYV
      --out-format F      loopback format: YUYV (default), I420, NV12, or MJPG (JPEG
                          frames: Firefox reads uncompressed cameras 800 or more wide at
                          15 fps at most, MJPG at full rate)
      --fps N             ask the camera for N fps and send at most N fps
      --threshold T       hard mask cut at probability T (0-1); default: soft edges
      --upsample MODE     guided (default: fast guided filter, the mask's edge follows the
                          picture's edges), bilateral (joint bilateral, slower) or bilinear
      --smooth S          temporal smoothing of the mask's edge, 0 (off) to 0.95 (default
                          0.8); confident pixels and motion are followed at once
      --tighten LO,HI     edge tightening: smoothstep of the probability from LO to HI
                          (default 0.25,0.75), or off
      --light-wrap W      background light on the person's rim, 0-1 (default 0.3; 0 on a
                          solid colour)
      --despill C         remove green or blue screen spill from the person's edge
                          (green, blue; default off)
      --frame auto|off    auto-framing: crop and zoom gently to keep the person centred
                          and well sized (default off)
      --frame-zoom MAX    auto-framing zooms in at most MAX times (1-4, default 1.6)
      --frames N          stop after N frames
  -t, --threads N         ONNX Runtime threads (default 1)
  -d                      print per-stage times (post: its mask sub-stages), camera and
                          model fps every second
  -s                      show a frame counter
      --ort-lib PATH      libonnxruntime.so.1 to use (also BACKSCRUB_ORT_LIB)
      --no-idle           keep the camera running while no program reads the virtual camera
                          (default: pause it after 2 s unread)
      --every-frame       run the model on every frame it can (default: skip runs while the
                          scene is still, refreshing the mask at least 5 times a second)
      --config FILE       settings file (default $XDG_CONFIG_HOME/backscrub/config.json,
                          i.e. ~/.config/backscrub/config.json): the long options as JSON
                          keys, e.g. {"background": "studio.png", "mirror": true}; flags
                          given here override it
      --no-config         ignore the settings file

Segment options:
  -m, --model NAME|PATH   as above
      --prob-out FILE     person probability at model resolution, float32 LE, row-major HxW
      --mask-out FILE     8-bit gray mask PNG at the image's size
      --cutout FILE       the image as RGBA PNG with the background transparent
      --model-output K    what a bare model's output is: probability | logit | softmax:N
      --model-range LO,HI input range of a bare model (default 0,1; DeepLab -1,1)

Examples:
  backscrub                                      blur the background of /dev/video0
  backscrub -c video0 -b studio.png -H           a bundled background, mirrored
  backscrub -c /dev/video2 -f MJPG --cg 1280x720 --blur 20 -d
  backscrub -c talk.mp4 -v result.mp4 -b beach.jpg   a file in, a file out
  backscrub -v pipewire                          a PipeWire camera named "backscrub"
  backscrub demo                                 no camera needed
  backscrub segment photo.jpg --cutout person.png
  backscrub convert segm_full_v679.tflite meet.onnx`;

/** Writes a file atomically; a file-system refusal is one line naming the file. */
async function writeOrSay(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, bytes);
  } catch (error) {
    // Not granted by Deno: explain() names the flag; anything else the OS said, in one line.
    if (error instanceof Deno.errors.NotCapable || !(error instanceof Error)) throw error;
    const hint = error instanceof Deno.errors.NotFound
      ? "its folder does not exist"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied (choose a folder you can write to)"
      : fsErrorText(error);
    throw new MediaFileError(`Cannot write ${JSON.stringify(path)}`, hint, { cause: error });
  }
}

function parseOutputKind(text: string): OutputKind {
  if (text === "probability" || text === "logit") return { kind: text };
  const m = /^softmax:(\d+)$/.exec(text);
  if (m) return { kind: "softmax", person: Number(m[1]) };
  throw new UsageError(
    `Invalid --model-output "${text}": use probability, logit or softmax:N (N = the person channel)`,
  );
}

function parseRange(text: string): [number, number] {
  const parts = text.split(",").map(Number);
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || parts[0]! >= parts[1]!) {
    throw new UsageError(`Invalid --model-range "${text}": use LOW,HIGH, e.g. 0,1 or -1,1`);
  }
  return [parts[0]!, parts[1]!];
}

function parseThreads(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new UsageError(`Invalid --threads "${text}": use a whole number from 1 to 64`);
  }
  return n;
}

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; default?: string | boolean }
>;

function parse(
  args: string[],
  options: OptionSpec,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return {
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
    };
  } catch (e) {
    // node:util reports unknown flags and missing values as TypeErrors with a code.
    throw new UsageError((e as Error).message.split("\n")[0]!.replace(/\. To specify .*$/, ""));
  }
}

async function segmentCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    model: { type: "string", short: "m", default: "landscape" },
    "prob-out": { type: "string" },
    "mask-out": { type: "string" },
    cutout: { type: "string" },
    threads: { type: "string", short: "t" },
    "model-output": { type: "string" },
    "model-range": { type: "string" },
    "ort-lib": { type: "string" },
  });
  const v = values as Record<string, string | undefined>;
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "segment needs an image: backscrub segment photo.jpg --cutout person.png"
        : `segment takes one image, got ${positionals.length}`,
    );
  }
  const summary = await segmentImage(positionals[0]!, {
    model: v.model!,
    threads: parseThreads(v.threads),
    ...(v["ort-lib"] ? { ortLib: v["ort-lib"] } : {}),
    ...(v["prob-out"] ? { probOut: v["prob-out"] } : {}),
    ...(v["mask-out"] ? { maskOut: v["mask-out"] } : {}),
    ...(v.cutout ? { cutout: v.cutout } : {}),
    ...(v["model-output"] ? { outputKind: parseOutputKind(v["model-output"]) } : {}),
    ...(v["model-range"] ? { range: parseRange(v["model-range"]) } : {}),
  });
  console.log(summary);
  return 0;
}

async function convertCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    "model-output": { type: "string" },
    "model-range": { type: "string" },
  });
  const v = values as Record<string, string | undefined>;
  if (positionals.length !== 2) {
    throw new UsageError("convert needs two files: backscrub convert model.tflite model.onnx");
  }
  const [input, output] = positionals as [string, string];
  if (extname(output).toLowerCase() !== ".onnx") {
    throw new UsageError(`The output "${output}" must end in .onnx`);
  }
  const bytes = await Deno.readFile(input);
  const { convertTflite } = await import("../convert/convert.ts");
  const t0 = performance.now();
  const result = convertTflite(bytes);
  await writeOrSay(output, result.onnx);
  const ms = (performance.now() - t0).toFixed(0);
  const ops = Object.entries(result.opCounts).map(([op, n]) => `${op} ${n}`).join(", ");
  console.log(
    `${input} → ${output}: input [${result.input.shape}] NHWC, output [${
      result.outputs[0]!.shape
    }] NHWC, ${ms} ms (${ops})`,
  );
  // A manifest beside the model, so that --model out.onnx knows what it is.
  const name = basename(output, extname(output));
  try {
    const manifest = inferManifest(
      name,
      basename(output),
      result.input.shape,
      result.outputs[0]!.shape,
      {
        ...(v["model-output"] ? { output: parseOutputKind(v["model-output"]) } : {}),
        ...(v["model-range"] ? { range: parseRange(v["model-range"]) } : {}),
      },
    );
    const manifestPath = join(dirname(output), `${name}.json`);
    await writeOrSay(
      manifestPath,
      new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n"),
    );
    console.log(
      `wrote ${manifestPath} (output: ${manifest.output.kind}, input range [${manifest.input.range}]; edit it if that is wrong)`,
    );
  } catch (e) {
    if (!isUserError(e)) throw e;
    console.log(`no manifest written: ${e.message}`);
  }
  return 0;
}

async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: "string", short: "o", default: "out" },
    background: { type: "string", short: "b" },
    model: { type: "string", short: "m", default: "landscape" },
    frames: { type: "string", default: "90" },
    "ort-lib": { type: "string" },
  });
  const v = values as Record<string, string | undefined>;
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  const frames = Number(v.frames);
  if (!/^\d+$/.test(v.frames!) || frames < 2 || frames > 100000) {
    throw new UsageError(`Invalid --frames "${v.frames}": use a whole number from 2 to 100000`);
  }
  const lines = await runDemo({
    outDir: v.out!,
    background: v.background ?? (demoBackgroundAvailable() ? DEMO_BACKGROUND : "blur"),
    model: v.model!,
    frames,
    ortLib: v["ort-lib"],
  });
  for (const line of lines) console.log(line);
  return 0;
}

function versionText(ortLib?: string): string {
  const lines = [`backscrub ${VERSION}`, `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`];
  try {
    using ort = OnnxRuntime.load({ libraryPath: ortLib });
    lines.push(`ONNX Runtime ${ort.version} (${ort.libraryPath})`);
  } catch (e) {
    lines.push(`ONNX Runtime: ${libraryStatus(e)}`);
  }
  try {
    const { path } = turbojpegInfo(); // loads it
    const file = loadedLibraryFile("libturbojpeg.so") ?? path;
    lines.push(`libjpeg-turbo ${turbojpegVersion(file) ?? "(version unknown)"} (${file})`);
  } catch (e) {
    lines.push(`libjpeg-turbo: ${libraryStatus(e)}`);
  }
  return lines.join("\n");
}

const HELP_FLAGS = new Set(["-?", "-h", "--help", "--version"]);

/**
 * Runs the command line.
 *
 * @param args the arguments after the program name
 * @returns the exit status: 0 success, 1 failure, 2 wrong usage
 */
export async function main(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || (command.startsWith("-") && !HELP_FLAGS.has(command))) {
      // The settings file first, then the command line: flags override it.
      const first = applyConfig(args, parseLiveOptions);
      const read = () => parseLiveOptions(applyConfig(args, parseLiveOptions).args);
      return await runLive(parseLiveOptions(first.args), {
        log: (line) => console.log(line),
        status: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
        reload: read,
        settingsFile: first.path,
      });
    }
    switch (command) {
      case "-?":
      case "-h":
      case "--help":
      case "help":
        console.log(HELP);
        return 0;
      case "--version":
      case "version":
        console.log(versionText());
        return 0;
      case "segment":
        return await segmentCommand(rest);
      case "convert":
        return await convertCommand(rest);
      case "demo":
        return await demoCommand(rest);
      case "ctl": {
        const { ctlCommand } = await import("./ctl.ts");
        return await ctlCommand(rest);
      }
      case "devices": {
        const json = rest.includes("--json");
        const unknown = rest.find((a) => a !== "--json");
        if (unknown !== undefined) {
          throw new UsageError(`devices takes only --json, got "${unknown}"`);
        }
        const { devicesCommand } = await import("./devices.ts");
        return devicesCommand({ json });
      }
      case "doctor": {
        // A broken settings file is one FAIL line; everything else is still checked.
        let config;
        let configError: string | undefined;
        try {
          config = applyConfig(rest, parseLiveOptions);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          configError = e.message;
          config = applyConfig(["--no-config", ...rest], parseLiveOptions);
        }
        const live = parseLiveOptions(config.args);
        const { formatReport, runDoctor } = await import("./doctor.ts");
        const report = await runDoctor({
          live,
          configPath: config.path,
          configSettings: config.settings,
          ...(configError !== undefined ? { configError } : {}),
        });
        for (const line of formatReport(report)) console.log(line);
        return report.ok ? 0 : 1;
      }
      default:
        throw new UsageError(
          command.startsWith("-") ? `Unknown option "${command}"` : `Unknown command "${command}"`,
        );
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`backscrub: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`backscrub: ${e.message} (see backscrub --help)`);
      return 2;
    }
    if (isUserError(e)) {
      console.error(`backscrub: ${explain(e)}`);
      return 1;
    }
    throw e;
  }
}
