import assert from "node:assert/strict";
import { Camera } from "./camera.ts";
import { DeviceError } from "./errors.ts";
import { listDevices } from "./list.ts";
import { Loopback } from "./loopback.ts";

const hasVideoDevices = [...Deno.readDirSync("/dev")].some((e) => /^video\d+$/.test(e.name));

/** Words that belong to the command line, never to a device error's message. */
const CLI_WORDS = /\s-[cvfo]\b|backscrub devices|sudo |modprobe|usermod|--[a-z]/;

Deno.test("listDevices() lists nothing for a directory without video nodes", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.deepEqual(listDevices({ devRoot: dir }), {
      devices: [],
      defaultCamera: null,
      defaultLoopback: null,
    });
  } finally {
    Deno.removeSync(dir);
  }
});

Deno.test("listDevices() lists a node that is not a V4L2 device with the reason", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/video3`, "");
    const { devices } = listDevices({ devRoot: dir });
    assert.equal(devices.length, 1);
    assert.equal(devices[0]!.path, `${dir}/video3`);
    assert.deepEqual(devices[0]!.error, {
      kind: "not-v4l2",
      message: `Cannot open video device "${dir}/video3": it is not a V4L2 video device`,
      errno: 25,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "Loopback.open() without a device: a no-loopback DeviceError stating the fact",
  ignore: hasVideoDevices,
  fn() {
    assert.throws(
      () => Loopback.open(undefined, { width: 64, height: 48 }),
      (e: unknown) => {
        assert.ok(e instanceof DeviceError);
        assert.equal(e.kind, "no-loopback");
        assert.equal(e.purpose, "virtual");
        assert.equal(e.message, "No v4l2loopback device found");
        return true;
      },
    );
  },
});

Deno.test("Camera.open() and Loopback.open() errors carry the kind, device, purpose and errno", () => {
  const check = (
    fn: () => unknown,
    expected: Partial<DeviceError> & { message: string },
  ): void => {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof DeviceError, String(e));
      const got = Object.fromEntries(Object.keys(expected).map((k) => [k, e[k as keyof typeof e]]));
      assert.deepEqual(got, expected);
      assert.doesNotMatch(e.message, CLI_WORDS, "facts only: the CLI adds the fix");
      return true;
    });
  };
  check(() => Camera.open("video97"), {
    kind: "not-found",
    path: "/dev/video97",
    purpose: "camera",
    errno: 2,
    code: "ENOENT",
    message: 'Cannot open video device "/dev/video97": no such file',
  });
  check(() => Camera.open("/dev/null"), {
    kind: "not-v4l2",
    path: "/dev/null",
    purpose: "camera",
    code: "ENOTTY",
    message: 'Cannot open video device "/dev/null": it is not a V4L2 video device',
  });
  check(() => Loopback.open("/dev/video97", { width: 64, height: 48 }), {
    kind: "not-found",
    purpose: "virtual",
    errno: 2,
    message: 'Cannot open virtual camera device "/dev/video97": no such file',
  });
});
