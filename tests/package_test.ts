/**
 * The Debian package (scripts/package-deb.sh), built, installed into a scratch root with dpkg and
 * run from there.
 *
 * What it packages: `$BACKSCRUB_DEB_BINARY` when set (a real `deno task compile` executable);
 * otherwise — where `deno compile` cannot get its runtime (denort from dl.deno.land) — a launcher
 * script that runs the tree `packaging/stage.ts` stages for the executable, with the executable's
 * permissions. So this test proves the package: its control fields (Depends, Recommends), its
 * files and their modes, that dpkg installs it with the Depends satisfied by this system's real
 * packages, that the installed `backscrub --version` and `backscrub doctor` work (ONNX Runtime
 * extracted from the program to the cache, the shipped settings example valid), and that systemd
 * accepts the user unit. That the compiled executable itself runs is tests/compiled_test.ts's part
 * (and, with a real binary, this test's too: set BACKSCRUB_DEB_BINARY=dist/backscrub).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, type StageSummary, stageTree } from "../packaging/stage.ts";

const dec = new TextDecoder();

async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function ok(cmd: string, args: string[], options = {}): Promise<string> {
  const r = await run(cmd, args, options);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

interface Built {
  tmp: string;
  deb: string;
  root: string;
  env: { PATH: string; HOME: string; XDG_CACHE_HOME: string; XDG_CONFIG_HOME: string };
  ort: StageSummary["ort"] | null;
}

let built: Promise<Built> | null = null;

/** Builds the package once and installs it into a scratch root. */
function build(): Promise<Built> {
  built ??= (async () => {
    const tmp = await Deno.makeTempDir({ prefix: "backscrub-deb-" });
    let binary = Deno.env.get("BACKSCRUB_DEB_BINARY");
    let ort: StageSummary["ort"] | null = null;
    if (!binary) {
      const summary = await stageTree(join(tmp, "stage"));
      ort = summary.ort;
      const info = JSON.parse(await ok(Deno.execPath(), ["info", "--json"]));
      binary = join(tmp, "backscrub");
      const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
      await Deno.writeTextFile(
        binary,
        [
          "#!/bin/sh",
          "# Stands in for the compiled executable: the tree deno compile would embed, run with",
          "# the executable's permissions (packaging/stage.ts).",
          `exec env DENO_DIR=${q(info.denoDir)} ${q(Deno.execPath())} run --quiet --cached-only ` +
          `--allow-all ${q(join(summary.dest, "main.ts"))} "$@"`,
          "",
        ].join("\n"),
      );
      await Deno.chmod(binary, 0o755);
    }
    const deb = (await ok("bash", [
      join(ROOT, "scripts/package-deb.sh"),
      "--binary",
      binary,
      "--output",
      join(tmp, "out"),
      "--compression",
      "gzip",
    ])).trim();

    // A scratch root whose dpkg database holds this system's records of the Depends packages:
    // dpkg then installs without --force-depends only if Depends names real, present packages.
    const root = join(tmp, "root");
    const admin = join(root, "var/lib/dpkg");
    await Deno.mkdir(join(admin, "info"), { recursive: true });
    await Deno.mkdir(join(admin, "updates"));
    await Deno.writeTextFile(join(admin, "available"), "");
    const depends = (await ok("dpkg-deb", ["-f", deb, "Depends"])).trim();
    const names = depends.split(",").map((d) => d.trim().split(/[\s(]/)[0]!);
    await Deno.writeTextFile(join(admin, "status"), await ok("dpkg-query", ["-s", ...names]));
    const arch = (await ok("dpkg", ["--print-architecture"])).trim();
    for (const name of names) {
      for (const file of [`${name}.list`, `${name}:${arch}.list`]) {
        await Deno.writeTextFile(join(admin, "info", file), "");
      }
    }
    await ok("dpkg", ["--root", root, "--log=/dev/null", "-i", deb]);
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: join(tmp, "home"),
      XDG_CACHE_HOME: join(tmp, "cache"),
      XDG_CONFIG_HOME: join(tmp, "config"),
    };
    return { tmp, deb, root, env, ort };
  })();
  return built;
}

const test = (name: string, fn: () => Promise<void>): void =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

test("package-deb.sh writes the control fields: Depends libv4l-0 and libturbojpeg0, Recommends v4l2loopback-dkms", async () => {
  const { deb } = await build();
  const version = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).version;
  const arch = (await ok("dpkg", ["--print-architecture"])).trim();
  assert.ok(deb.endsWith(`/backscrub_${version}_${arch}.deb`), deb);
  const field = async (name: string): Promise<string> =>
    (await ok("dpkg-deb", ["-f", deb, name])).trim();
  assert.equal(await field("Package"), "backscrub");
  assert.equal(await field("Version"), version);
  assert.equal(await field("Architecture"), arch);
  const depends = (await field("Depends")).split(",").map((d) => d.trim());
  assert.ok(depends.includes("libv4l-0") && depends.includes("libturbojpeg0"), depends.join());
  assert.equal(await field("Recommends"), "v4l2loopback-dkms");
  assert.equal(await field("Suggests"), "ffmpeg");
  assert.match(await field("Installed-Size"), /^\d+$/);
  assert.match(await field("Description"), /^virtual webcam/);
});

test("package-deb.sh ships the executable, the user unit, the v4l2loopback examples and the docs", async () => {
  const { deb } = await build();
  const listing = await ok("dpkg-deb", ["-c", deb]);
  const files = new Map<string, string>();
  for (const line of listing.trim().split("\n")) {
    const [mode, , , , , ...rest] = line.split(/\s+/);
    const path = rest.join(" ");
    if (!mode!.startsWith("d")) files.set(path.replace(/^\.\//, "/"), mode!);
  }
  assert.deepEqual(Object.fromEntries(files), {
    "/usr/bin/backscrub": "-rwxr-xr-x",
    "/usr/lib/systemd/user/backscrub.service": "-rw-r--r--",
    "/usr/share/backscrub/config.example.json": "-rw-r--r--",
    "/usr/share/backscrub/modprobe.d/v4l2loopback.conf": "-rw-r--r--",
    "/usr/share/backscrub/modules-load.d/v4l2loopback.conf": "-rw-r--r--",
    "/usr/share/doc/backscrub/README.md": "-rw-r--r--",
    "/usr/share/doc/backscrub/copyright": "-rw-r--r--",
  });
  assert.ok(
    listing.split("\n").every((l) => l === "" || l.includes(" root/root ")),
    "owned by root",
  );
});

test("dpkg installs the package into a scratch root with its Depends satisfied", async () => {
  const { root } = await build();
  assert.match(
    await ok("dpkg", ["--root", root, "-s", "backscrub"]),
    /^Status: install ok installed$/m,
  );
  // Every installed file matches the package's md5sums.
  assert.equal(await ok("dpkg", ["--root", root, "--verify", "backscrub"]), "");
  const conf = await Deno.readTextFile(
    join(root, "usr/share/backscrub/modprobe.d/v4l2loopback.conf"),
  );
  assert.match(
    conf,
    /^options v4l2loopback devices=1 exclusive_caps=1 max_buffers=2 card_label=VirtualCam video_nr=10$/m,
  );
});

test("the installed backscrub --version names its ONNX Runtime, extracted to the cache", async () => {
  const { root, env, ort } = await build();
  const r = await run(join(root, "usr/bin/backscrub"), ["--version"], { env });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^backscrub \d+\.\d+\.\d+/);
  assert.match(lines[2]!, /^ONNX Runtime 1\.\d+\.\d+ \(/);
  if (ort) {
    const extracted = join(env.XDG_CACHE_HOME, "backscrub", ort.sha256, "libonnxruntime.so.1");
    assert.equal(lines[2], `ONNX Runtime ${ort.version} (${extracted})`);
  }
  assert.match(lines[3]!, /^libjpeg-turbo \d+\.\d+\.\d+ \(/);
});

test("the installed backscrub doctor reads the shipped settings example and explains what is missing", async () => {
  const { root, env } = await build();
  const example = join(root, "usr/share/backscrub/config.example.json");
  const r = await run(join(root, "usr/bin/backscrub"), ["doctor", "--config", example], { env });
  assert.equal(r.stderr, "");
  const lines = r.stdout.trimEnd().split("\n");
  // Settings are the keys that give an option: not comments, not false.
  const settings = Object.entries(JSON.parse(await Deno.readTextFile(example)))
    .filter(([k, v]) => !k.startsWith("//") && v !== false).length;
  assert.ok(lines.includes(`ok    settings: ${example} (${settings} settings)`), r.stdout);
  assert.ok(lines.some((l) => /^ok {4}ONNX Runtime 1\./.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^ok {4}model "landscape" \(in use\)/.test(l)), r.stdout);
  const fails = lines.filter((l) => l.startsWith("FAIL  "));
  assert.equal(r.code, fails.length > 0 ? 1 : 0);
  // Without a camera or v4l2loopback (as on a build machine) each is a FAIL with its fix.
  if (!(await Deno.stat("/dev/video0").catch(() => null))) {
    assert.ok(
      fails.some((l) => /^FAIL {2}no camera at \/dev\/video0 .* — fix: /.test(l)),
      r.stdout,
    );
  }
  if (!(await Deno.stat("/sys/module/v4l2loopback").catch(() => null))) {
    assert.ok(fails.some((l) => /^FAIL {2}v4l2loopback is not .* — fix: /.test(l)), r.stdout);
  }
});

test("systemd accepts the user unit: backscrub, restarted on failure, enabled for the login", async () => {
  const { root, tmp } = await build();
  const unit = await Deno.readTextFile(join(root, "usr/lib/systemd/user/backscrub.service"));
  assert.match(unit, /^ExecStart=\/usr\/bin\/backscrub$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(
    unit,
    /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m,
    "reload = SIGHUP: settings re-read",
  );
  assert.match(unit, /^WantedBy=default\.target$/m);
  assert.match(unit, /systemctl --user enable --now backscrub/);
  const check = await run("systemd-analyze", ["--version"]).catch(() => null);
  if (check === null || check.code !== 0) {
    // scripts/test.sh installs systemd; under CI its absence fails the test.
    assert.ok(
      !Deno.env.get("CI"),
      "systemd-analyze is needed to verify the unit (apt install systemd)",
    );
    console.log("  (no systemd-analyze here: the unit was checked by its lines only)");
    return;
  }
  // verify wants ExecStart to exist: point it at the installed file.
  const copy = join(tmp, "backscrub.service");
  await Deno.writeTextFile(
    copy,
    unit.replace("ExecStart=/usr/bin/backscrub", `ExecStart=${join(root, "usr/bin/backscrub")}`),
  );
  const r = await run("systemd-analyze", ["verify", copy]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), "", "no warnings");
});

test("package-deb.sh says what to run when there is no executable", async () => {
  const r = await run("bash", [
    join(ROOT, "scripts/package-deb.sh"),
    "--binary",
    "/nonexistent/backscrub",
  ]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'package-deb: no executable at "/nonexistent/backscrub": run "deno task compile" first (or give --binary)\n',
  );
});

Deno.test({
  name: "the package's scratch files are removed after the tests",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    if (built !== null) await Deno.remove((await built).tmp, { recursive: true });
  },
});
