/**
 * Checks every constant and struct layout in `layout.ts` against a C probe compiled at test time
 * with the system gcc and glibc's headers. Skipped when gcc is missing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CProbe, haveGcc } from "../../tests/fixtures/c_probe.ts";
import * as layout from "./layout.ts";

/** The C expression of each TypeScript value. */
function cProbe(): CProbe {
  const probe = new CProbe({ signed: true });
  const add = (key: string, cExpr: string, value: number): void => probe.add(key, cExpr, value);
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
  return probe;
}

Deno.test({
  name: "layout.ts matches sys/inotify.h, sys/eventfd.h, poll.h and errno.h",
  // scripts/test.sh installs gcc; under CI a missing compiler fails the test.
  ignore: !Deno.env.get("CI") && !(await haveGcc()),
  async fn() {
    assert.ok(await haveGcc(), "gcc is needed (apt install gcc)");
    const probe = cProbe();
    const actual = await probe.run([
      "errno.h",
      "limits.h",
      "poll.h",
      "sys/eventfd.h",
      "sys/inotify.h",
    ]);
    // One comparison, so that a failure shows every mismatch at once.
    assert.deepEqual(actual, probe.expected);
  },
});
