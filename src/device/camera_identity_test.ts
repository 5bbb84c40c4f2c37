import assert from "node:assert/strict";
import { join } from "node:path";
import { ERRNO, V4l2Error } from "../../ffi/v4l2/mod.ts";
import { type CameraIdentity, candidatePaths, findCamera, identityOf } from "./camera_identity.ts";
import { DeviceError } from "./errors.ts";

type Cap = { driver: string; card: string; busInfo: string };

const VIVID: Cap = { driver: "vivid", card: "vivid", busInfo: "platform:vivid-000" };

/**
 * A fake `/dev` and `/sys`: each node with its sysfs name, and whether it is virtual
 * (v4l2loopback).
 */
async function tree(nodes: Record<string, { name: string; virtual?: boolean }>): Promise<{
  dev: string;
  sys: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const root = await Deno.makeTempDir({ prefix: "backscrub-identity-" });
  const dev = join(root, "dev");
  const sys = join(root, "sys");
  await Deno.mkdir(dev);
  await Deno.mkdir(join(sys, "class/video4linux"), { recursive: true });
  for (const [node, { name, virtual }] of Object.entries(nodes)) {
    await Deno.writeTextFile(join(dev, node), "");
    const device = join(sys, virtual ? "devices/virtual/video4linux" : "devices/platform/x", node);
    await Deno.mkdir(device, { recursive: true });
    const entry = join(sys, "class/video4linux", node);
    await Deno.mkdir(entry);
    await Deno.writeTextFile(join(entry, "name"), `${name}\n`);
    await Deno.symlink(device, join(entry, "device"));
  }
  return { dev, sys, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

function asker(caps: Record<string, Cap | V4l2Error>, asked: string[] = []): (p: string) => Cap {
  return (path) => {
    asked.push(path.split("/").pop()!);
    const cap = caps[path.split("/").pop()!];
    if (cap === undefined) {
      throw new V4l2Error("open", path, ERRNO.ENOENT);
    }
    if (cap instanceof V4l2Error) throw cap;
    return cap;
  };
}

Deno.test("identityOf() keeps driver, card, bus info and the node's sysfs name", async () => {
  await using t = await tree({ video0: { name: "vivid-000-vid-cap" } });
  const { dev, sys } = t;
  assert.deepEqual(identityOf(join(dev, "video0"), VIVID, sys), {
    ...VIVID,
    sysfsName: "vivid-000-vid-cap",
  });
  assert.equal(identityOf("/nowhere/cam", VIVID, sys).sysfsName, null);
});

Deno.test("candidatePaths() gives the node named at start, then the other nodes of the same name but loopbacks", async () => {
  await using t = await tree({
    video0: { name: "other-cam" },
    video3: { name: "vivid-000-vid-cap" },
    video10: { name: "vivid-000-vid-cap", virtual: true },
    video12: { name: "vivid-000-vid-cap" },
  });
  const { dev, sys } = t;
  const id: CameraIdentity = { ...VIVID, sysfsName: "vivid-000-vid-cap" };
  const opts = { devRoot: dev, sysRoot: sys };
  assert.deepEqual(candidatePaths(id, join(dev, "video0"), opts), [
    join(dev, "video0"),
    join(dev, "video3"),
    join(dev, "video12"),
  ]);
  assert.deepEqual(
    candidatePaths(id, join(dev, "video10"), opts),
    [join(dev, "video10"), join(dev, "video3"), join(dev, "video12")],
    "a camera that is a loopback (fed by another program) is asked; other loopbacks never",
  );
  assert.deepEqual(candidatePaths({ ...id, sysfsName: null }, join(dev, "video0"), opts), [
    join(dev, "video0"),
  ]);
});

Deno.test("findCamera() finds the camera by driver, card and bus info, under its old node or another", async () => {
  await using t = await tree({
    video0: { name: "vivid-000-vid-cap" },
    video3: { name: "vivid-000-vid-cap" },
    video4: { name: "vivid-000-vid-cap" },
  });
  const { dev, sys } = t;
  const id: CameraIdentity = { ...VIVID, sysfsName: "vivid-000-vid-cap" };
  const spec = join(dev, "video0");
  const opts = (caps: Record<string, Cap | V4l2Error>, asked?: string[]) => ({
    devRoot: dev,
    sysRoot: sys,
    queryCap: asker(caps, asked),
  });
  // Back where it was.
  const asked: string[] = [];
  assert.equal(findCamera(id, spec, opts({ video0: VIVID }, asked)), spec);
  assert.deepEqual(asked, ["video0"], "the first match ends the search");
  // Another camera took its node; it came back as video4 (video3 is another vivid instance).
  const other = { ...VIVID, busInfo: "platform:vivid-001" };
  assert.equal(
    findCamera(
      id,
      spec,
      opts({ video0: { ...VIVID, card: "UVC Camera" }, video3: other, video4: VIVID }),
    ),
    join(dev, "video4"),
  );
  // Only the same model on another bus (another USB port): that one.
  assert.equal(findCamera(id, spec, opts({ video3: other })), join(dev, "video3"));
  // Not there at all.
  assert.throws(
    () => findCamera(id, spec, opts({})),
    (e: unknown) =>
      e instanceof DeviceError && e.kind === "not-found" &&
      e.message === 'Cannot find the camera "vivid" (platform:vivid-000): it is not connected',
  );
  // There, but not ours to open yet (udev has not set its group): say so.
  assert.throws(
    () => findCamera(id, spec, opts({ video0: new V4l2Error("open", spec, ERRNO.EACCES) })),
    (e: unknown) => e instanceof DeviceError && e.kind === "permission",
  );
});
