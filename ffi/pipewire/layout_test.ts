/**
 * Checks every struct offset and constant in `layout.ts` against a C probe compiled at test time
 * with the system gcc and the `libpipewire-0.3-dev`/`libspa-0.2-dev` headers. Skipped without
 * them, except under CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CProbe, haveGcc } from "../../tests/fixtures/c_probe.ts";
import { CI, pipewireCflags } from "../../tests/_pipewire.ts";
import * as layout from "./layout.ts";

const cflags = await pipewireCflags();

/** Structs: TS table → C struct and member names (`size` is `sizeof`). */
const STRUCTS: Record<string, { struct: string; members: Record<string, string> }> = {
  PW_LOOP: {
    struct: "struct pw_loop",
    members: { system: "system", loop: "loop", control: "control", utils: "utils" },
  },
  SPA_INTERFACE: {
    struct: "struct spa_interface",
    members: { type: "type", version: "version", funcs: "cb.funcs", data: "cb.data" },
  },
  LOOP_CONTROL_METHODS: {
    struct: "struct spa_loop_control_methods",
    members: {
      version: "version",
      getFd: "get_fd",
      addHook: "add_hook",
      enter: "enter",
      leave: "leave",
      iterate: "iterate",
    },
  },
  SPA_HOOK: { struct: "struct spa_hook", members: {} },
  STREAM_EVENTS: {
    struct: "struct pw_stream_events",
    members: {
      version: "version",
      destroy: "destroy",
      stateChanged: "state_changed",
      paramChanged: "param_changed",
      process: "process",
    },
  },
  PW_BUFFER: { struct: "struct pw_buffer", members: { buffer: "buffer" } },
  SPA_BUFFER: {
    struct: "struct spa_buffer",
    members: { nMetas: "n_metas", nDatas: "n_datas", metas: "metas", datas: "datas" },
  },
  SPA_META: { struct: "struct spa_meta", members: { type: "type", bytes: "size", data: "data" } },
  SPA_META_HEADER: {
    struct: "struct spa_meta_header",
    members: {
      flags: "flags",
      offset: "offset",
      pts: "pts",
      dtsOffset: "dts_offset",
      seq: "seq",
    },
  },
  SPA_DATA: {
    struct: "struct spa_data",
    members: {
      type: "type",
      flags: "flags",
      fd: "fd",
      mapoffset: "mapoffset",
      maxsize: "maxsize",
      data: "data",
      chunk: "chunk",
    },
  },
  SPA_CHUNK: {
    struct: "struct spa_chunk",
    members: { offset: "offset", bytes: "size", stride: "stride", flags: "flags" },
  },
};

/** Constant groups: TS table → the C name of each key. */
const CONSTANTS: Record<string, (key: string) => string> = {
  STREAM_STATE: (k) => `PW_STREAM_STATE_${k}`,
  STREAM_FLAG: (k) => `PW_STREAM_FLAG_${k}`,
  DIRECTION: (k) => `PW_DIRECTION_${k}`,
  LOG_LEVEL: (k) => `SPA_LOG_LEVEL_${k}`,
  SPA_TYPE: (k) => `SPA_TYPE_${k}`,
  SPA_TYPE_OBJECT: (k) => `SPA_TYPE_OBJECT_${k}`,
  SPA_CHOICE: (k) => `SPA_CHOICE_${k}`,
  SPA_PARAM: (k) => `SPA_PARAM_${k}`,
  SPA_FORMAT: (k) => `SPA_FORMAT_${k}`,
  SPA_MEDIA: (k) => `SPA_MEDIA_${k}`,
  SPA_VIDEO_FORMAT: (k) => `SPA_VIDEO_FORMAT_${k}`,
  SPA_VIDEO_COLOR: (k) => `SPA_VIDEO_COLOR_${k}`,
  SPA_PARAM_BUFFERS: (k) => `SPA_PARAM_BUFFERS_${k}`,
  SPA_PARAM_META: (k) => `SPA_PARAM_META_${k}`,
  SPA_META_TYPE: (k) => `SPA_META_${k}`,
  SPA_DATA_TYPE: (k) => `SPA_DATA_${k}`,
};

function cProbe(): CProbe {
  const probe = new CProbe({ signed: true });
  const tables = layout as unknown as Record<string, Record<string, number>>;
  for (const [name, { struct, members }] of Object.entries(STRUCTS)) {
    const table = tables[name]!;
    // Every TS key must have its C expression (a member, or "size").
    assert.deepEqual(
      Object.keys(table).sort(),
      [...Object.keys(members), ...("size" in table ? ["size"] : [])].sort(),
      `${name} lists a key the probe does not check`,
    );
    for (const [key, value] of Object.entries(table)) {
      const expr = key === "size" ? `sizeof(${struct})` : `offsetof(${struct}, ${members[key]})`;
      probe.add(`${name}.${key}`, expr, value);
    }
  }
  for (const [name, cName] of Object.entries(CONSTANTS)) {
    for (const [key, value] of Object.entries(tables[name]!)) {
      probe.add(`${name}.${key}`, cName(key), value);
    }
  }
  probe.add(
    "PW_VERSION_STREAM_EVENTS",
    "PW_VERSION_STREAM_EVENTS",
    layout.PW_VERSION_STREAM_EVENTS,
  );
  probe.add("PW_ID_ANY", "PW_ID_ANY", layout.PW_ID_ANY);
  return probe;
}

Deno.test({
  name: "layout.ts matches pipewire/stream.h, pipewire/loop.h and the SPA headers",
  ignore: !CI && (cflags === null || !(await haveGcc())),
  async fn() {
    const probe = cProbe();
    const actual = await probe.run([
      "pipewire/pipewire.h",
      "spa/param/video/format-utils.h",
      "spa/param/buffers.h",
      "spa/buffer/meta.h",
    ], cflags ?? []);
    // One comparison, so that a failure shows every mismatch at once.
    assert.deepEqual(actual, probe.expected);
  },
});
