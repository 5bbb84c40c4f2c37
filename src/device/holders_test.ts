import assert from "node:assert/strict";
import { countHandles, describeHolders, findHolders } from "./holders.ts";

Deno.test("findHolders() names the processes whose fds point at the device", () => {
  const root = Deno.makeTempDirSync({ prefix: "fake-proc-" });
  try {
    const device = `${root}/video0`;
    Deno.writeTextFileSync(device, "");
    const proc = `${root}/proc`;
    const make = (pid: number, comm: string, links: string[]): void => {
      Deno.mkdirSync(`${proc}/${pid}/fd`, { recursive: true });
      Deno.writeTextFileSync(`${proc}/${pid}/comm`, comm + "\n");
      links.forEach((target, i) => Deno.symlinkSync(target, `${proc}/${pid}/fd/${i}`));
    };
    make(4242, "cheese", ["/dev/null", device]);
    make(77, "obs", [device]);
    make(900, "bash", ["/dev/null"]);
    make(Deno.pid, "deno", [device]); // this process, one handle: not a holder
    Deno.mkdirSync(`${proc}/self`); // non-numeric entries are ignored
    const holders = findHolders(device, proc);
    assert.deepEqual(holders, {
      others: [{ pid: 77, comm: "obs" }, { pid: 4242, comm: "cheese" }],
      self: false,
    });
    assert.equal(describeHolders(holders), "in use by obs (pid 77), cheese (pid 4242)");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("findHolders() reports this process when it holds the device twice", () => {
  const root = Deno.makeTempDirSync({ prefix: "fake-proc-" });
  try {
    const device = `${root}/video0`;
    Deno.writeTextFileSync(device, "");
    Deno.mkdirSync(`${root}/proc/${Deno.pid}/fd`, { recursive: true });
    Deno.symlinkSync(device, `${root}/proc/${Deno.pid}/fd/5`);
    Deno.symlinkSync(device, `${root}/proc/${Deno.pid}/fd/6`);
    const holders = findHolders(device, `${root}/proc`);
    assert.deepEqual(holders, { others: [], self: true });
    assert.equal(describeHolders(holders), `in use by this process (pid ${Deno.pid})`);
    assert.equal(
      describeHolders({ others: [], self: false }),
      "in use by a process this user cannot see",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("countHandles() counts the handles and says when some process could not be read", () => {
  const root = Deno.makeTempDirSync({ prefix: "fake-proc-" });
  try {
    const device = `${root}/video0`;
    Deno.writeTextFileSync(device, "");
    const proc = `${root}/proc`;
    const make = (pid: number, links: string[]): void => {
      Deno.mkdirSync(`${proc}/${pid}/fd`, { recursive: true });
      links.forEach((target, i) => Deno.symlinkSync(target, `${proc}/${pid}/fd/${i}`));
    };
    make(31, [device, "/dev/null", device]);
    make(77, [device]);
    make(Deno.pid, [device]);
    assert.deepEqual(countHandles(device, proc), {
      processes: 2,
      handles: 3,
      selfHandles: 1,
      complete: true,
    });
    // A process whose descriptors cannot be listed (another user's, as that user) may hold it.
    Deno.mkdirSync(`${proc}/32`);
    Deno.writeTextFileSync(`${proc}/32/fd`, "");
    assert.equal(countHandles(device, proc).complete, false);
    assert.equal(countHandles(device, `${root}/nowhere`).complete, false, "no /proc at all");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
