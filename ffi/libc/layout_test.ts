/**
 * Checks every constant and struct layout in `layout.ts` against a C probe compiled at test time
 * with the system gcc and glibc's headers. Skipped when gcc is missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as layout from "./layout.ts";

/** The C expression of each TypeScript value. */
function probe(): { source: string; expected: Record<string, number> } {
  const lines: string[] = [];
  const expected: Record<string, number> = {};
  const add = (key: string, cExpr: string, value: number): void => {
    lines.push(`  printf("%s %lld\\n", "${key}", (long long)(${cExpr}));`);
    expected[key] = value;
  };
  for (const [key, value] of Object.entries(layout.IN_INIT)) add(`IN_${key}`, `IN_${key}`, value);
  for (const [key, value] of Object.entries(layout.IN)) add(`IN_${key}`, `IN_${key}`, value);
  for (const [key, value] of Object.entries(layout.EFD)) add(`EFD_${key}`, `EFD_${key}`, value);
  for (const [key, value] of Object.entries(layout.POLL)) add(`POLL${key}`, `POLL${key}`, value);
  for (const [key, value] of Object.entries(layout.ERRNO)) add(key, key, value);
  for (const [key, value] of Object.entries(layout.POLLFD)) {
    add(
      `pollfd.${key}`,
      key === "size" ? "sizeof(struct pollfd)" : `offsetof(struct pollfd, ${key})`,
      value,
    );
  }
  for (const [key, value] of Object.entries(layout.INOTIFY_EVENT)) {
    add(
      `inotify_event.${key}`,
      key === "size" ? "sizeof(struct inotify_event)" : `offsetof(struct inotify_event, ${key})`,
      value,
    );
  }
  add("NAME_MAX", "NAME_MAX", layout.NAME_MAX);
  add("sizeof(nfds_t)", "sizeof(nfds_t)", 8);
  add("sizeof(ssize_t)", "sizeof(ssize_t)", 8);
  const source = `#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

int main(void) {
${lines.join("\n")}
  return 0;
}
`;
  return { source, expected };
}

async function haveGcc(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("gcc", { args: ["--version"], stdout: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "layout.ts matches sys/inotify.h, sys/eventfd.h, poll.h and errno.h",
  ignore: !(await haveGcc()),
  async fn() {
    const { source, expected } = probe();
    const dir = await Deno.makeTempDir({ prefix: "libc-probe-" });
    try {
      await Deno.writeTextFile(`${dir}/probe.c`, source);
      const cc = await new Deno.Command("gcc", {
        args: ["-std=gnu11", "-Wall", "-o", `${dir}/probe`, `${dir}/probe.c`],
      }).output();
      if (!cc.success) throw new Error(`gcc failed:\n${new TextDecoder().decode(cc.stderr)}`);
      const run = await new Deno.Command(`${dir}/probe`).output();
      const actual: Record<string, number> = {};
      for (const line of new TextDecoder().decode(run.stdout).trim().split("\n")) {
        const [key, value] = line.split(" ") as [string, string];
        actual[key] = Number(value);
      }
      // One comparison, so that a failure shows every mismatch at once.
      assert.deepEqual(actual, expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
