/**
 * {@linkcode PipewireVideoSource} against a real PipeWire daemon in a private session
 * (`tests/_pipewire.ts`): the node and its properties as `pw-dump` shows them, frames received
 * byte for byte by GStreamer's `pipewiresrc` in each offered format, the state following the
 * reader, a daemon restart, and no daemon at all.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PipewireSession, skipWithoutPipewire } from "../../tests/_pipewire.ts";
import { PipewireError, PipewireVideoSource, type StreamState, type VideoFormat } from "./mod.ts";

const ignore = skipWithoutPipewire("ffi/pipewire/mod_test");

/** Points this process's libpipewire at the session (read at every connect). */
function useSession(session: PipewireSession): void {
  Deno.env.set("PIPEWIRE_RUNTIME_DIR", session.runtimeDir);
}

/** Iterates the source's loop until `done` or the time is up; returns whether `done` held. */
async function pump(
  source: PipewireVideoSource,
  ms: number,
  done: () => boolean,
  each?: () => void,
): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    source.dispatch();
    each?.();
    if (done()) return true;
    await source.wait(20);
  }
  source.dispatch();
  return done();
}

/** A frame whose every byte says where it is and which frame it is. */
function pattern(data: Uint8Array, frame: number): void {
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + frame * 13) & 255;
}

Deno.test({
  name: "PipewireVideoSource publishes a camera node that pipewiresrc reads byte for byte",
  ignore,
  async fn(t) {
    await using session = await PipewireSession.start();
    useSession(session);
    const width = 64;
    const height = 48;
    await using source = PipewireVideoSource.open({
      name: "backscrub-test",
      description: "backscrub test",
      width,
      height,
      fps: 30,
    });
    assert.ok(await pump(source, 3000, () => source.nodeId !== null));
    assert.equal(source.state, "paused");

    await t.step("pw-dump shows a Video/Source with role Camera and a description", async () => {
      const node = (await session.objects("Node")).find((n) => n.id === source.nodeId);
      assert.ok(node, "the node is listed");
      assert.equal(node.props["media.class"], "Video/Source");
      assert.equal(node.props["media.role"], "Camera");
      assert.equal(node.props["node.name"], "backscrub-test");
      assert.equal(node.props["node.description"], "backscrub test");
    });

    for (const format of ["YUY2", "I420", "NV12"] as VideoFormat[]) {
      await t.step(`pipewiresrc gets the frames written, in ${format}`, async () => {
        const file = `${session.dir}/${format}.raw`;
        const frames = 4;
        const gst = session.spawn("gst-launch-1.0", [
          "-q",
          "pipewiresrc",
          "target-object=backscrub-test",
          `num-buffers=${frames}`,
          "!",
          `video/x-raw,format=${format}`,
          "!",
          "filesink",
          "buffer-mode=unbuffered",
          `location=${file}`,
        ]);
        const written: Uint8Array[] = [];
        const states = new Set<StreamState>();
        let done = false;
        void gst.status.then(() => done = true);
        await pump(source, 15_000, () => done, () => {
          states.add(source.state);
          const sent = source.write(({ data, format: f }) => {
            assert.equal(f.format, format);
            pattern(data, written.length);
            written.push(data.slice());
          });
          if (sent) return;
        });
        if (!done) gst.kill("SIGKILL");
        const out = await gst.output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        assert.ok(states.has("streaming"));
        const got = await Deno.readFile(file);
        const size = format === "YUY2" ? width * height * 2 : width * height * 3 / 2;
        assert.equal(got.length, frames * size);
        // Each frame received is one written, whole, in order: pipewiresrc may join late, and a
        // live source may skip a frame while the reader is held up by the machine's other work.
        let next = 0;
        for (let i = 0; i < frames; i++) {
          const frame = got.subarray(i * size, (i + 1) * size);
          const k = written.findIndex((w, n) => n >= next && w.every((b, j) => b === frame[j]));
          assert.ok(k >= 0, `frame ${i} is a frame written, after the one before it`);
          next = k + 1;
        }
        // With the reader gone the node pauses again.
        assert.ok(await pump(source, 5000, () => source.state === "paused"));
      });
    }

    await t.step(
      "a daemon restart breaks the connection; reconnect() publishes again",
      async () => {
        await session.restart();
        assert.ok(await pump(source, 5000, () => source.state === "unconnected"));
        assert.match(source.error ?? "", /connection/);
        source.reconnect();
        assert.ok(await pump(source, 5000, () => source.nodeId !== null));
        const nodes = await session.objects("Node");
        assert.ok(nodes.some((n) => n.props["node.name"] === "backscrub-test"));
      },
    );
  },
});

Deno.test({
  name: "PipewireVideoSource.open() says PipeWire is not running when no daemon answers",
  ignore,
  async fn() {
    const empty = await Deno.makeTempDir();
    Deno.env.set("PIPEWIRE_RUNTIME_DIR", empty);
    try {
      assert.throws(
        () =>
          PipewireVideoSource.open({
            name: "backscrub",
            description: "backscrub",
            width: 64,
            height: 48,
            fps: 30,
          }),
        (e: unknown) => {
          assert.ok(e instanceof PipewireError);
          assert.equal(e.kind, "not-running");
          assert.match(e.message, /^Cannot connect to PipeWire: /);
          return true;
        },
      );
    } finally {
      Deno.env.delete("PIPEWIRE_RUNTIME_DIR");
      await Deno.remove(empty, { recursive: true });
    }
  },
});
