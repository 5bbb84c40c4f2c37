#!/usr/bin/env bash
# End-to-end tests on a real kernel: boots ONE VM (../shared/vm/run-in-vm.sh: vivid at
# /dev/video0, v4l2loopback at /dev/video10 and /dev/video11 with exclusive_caps=1) and runs every
# tests/e2e/*_e2e.ts inside it. The files are named *_e2e.ts, not *_test.ts, so the normal
# suite never runs them on hosts without video devices.
#
# Deno startup in the VM (measured with `deno run -A main.ts --version`, natively 0.1 s):
# - The project is NOT shared read-write: a read-write share is a 9p mount with cache=mmap,
#   so every stat/readlink deno makes loading npm packages from node_modules (protobufjs
#   alone: ~100 files) is a round trip to the host under emulation: 12-14 s per start. Seen
#   read-only through the host root (9p, cache=loose) it takes ~5-7 s. The tests write only
#   to /tmp (tmpfs). E2E_SHARE_RW=1 shares the project read-write again (slower).
# - node_modules cannot be installed in the VM (read-only, no network): `deno cache` first
#   brings it in line with deno.lock on the host.
# - A DENO_DIR warmed here (.cache/deno-e2e, gitignored) is copied into the VM's tmpfs: it
#   holds the transpiled modules and the npm registry metadata (registry.json, copied from
#   the host's DENO_DIR; no package tarballs). Without that metadata deno tries to fetch it
#   on every start and prints "Download https://registry.npmjs.org/..." on stderr. The warm
#   transpile cache itself gains little (about 1 s on the test process); a read-only DENO_DIR
#   on the share was slower than the copy.
#
# Usage: bash scripts/test-e2e.sh [extra deno test args, e.g. --filter MJPG]
# Env:   BACKSCRUB_VM (path to run-in-vm.sh), E2E_TIMEOUT (seconds, default 1500),
#        E2E_SHARE_RW=1 (share the project read-write; automatic for a checkout under /tmp,
#        /run or /dev/shm, which the VM cannot see otherwise)
# Exit:  deno test's status; 124 timeout; 125 VM failure (see run-in-vm.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VM=${BACKSCRUB_VM:-$ROOT/../shared/vm/run-in-vm.sh}
if [ ! -x "$VM" ]; then
  echo "test-e2e: $VM not found (set BACKSCRUB_VM to run-in-vm.sh)" >&2
  exit 125
fi
cd "$ROOT"
mapfile -t FILES < <(ls tests/e2e/*_e2e.ts)
[ ${#FILES[@]} -gt 0 ] || { echo "test-e2e: no tests/e2e/*_e2e.ts" >&2; exit 1; }
start=$(date +%s)

# Host side: node_modules in line with the lock (the user's DENO_DIR), then the e2e DENO_DIR.
deno cache --quiet main.ts "${FILES[@]}" ||
  { echo "test-e2e: deno cache failed (node_modules out of date?)" >&2; exit 1; }
E2E_DENO_DIR=$ROOT/.cache/deno-e2e
HOST_DENO_DIR=$(deno info --json 2>/dev/null | sed -n 's/^ *"denoDir": "\(.*\)",*$/\1/p')
mkdir -p "$E2E_DENO_DIR"
if [ -d "$HOST_DENO_DIR/npm/registry.npmjs.org" ]; then
  (cd "$HOST_DENO_DIR/npm/registry.npmjs.org" && find . -name registry.json -print0) |
    while IFS= read -r -d '' f; do
      dst=$E2E_DENO_DIR/npm/registry.npmjs.org/$f
      [ "$dst" -nt "$HOST_DENO_DIR/npm/registry.npmjs.org/$f" ] && continue
      mkdir -p "$(dirname "$dst")" && cp "$HOST_DENO_DIR/npm/registry.npmjs.org/$f" "$dst"
    done
fi
DENO_DIR=$E2E_DENO_DIR deno cache --quiet main.ts "${FILES[@]}" ||
  { echo "test-e2e: deno cache into $E2E_DENO_DIR failed" >&2; exit 1; }
prep=$(( $(date +%s) - start ))

# The VM mounts fresh tmpfs over /tmp, /run and /dev/shm: a checkout there is only visible
# through a read-write share (CI may clone into /tmp).
case "$ROOT/" in
  /tmp/* | /run/* | /dev/shm/*) E2E_SHARE_RW=1 ;;
esac
if [ "${E2E_SHARE_RW:-0}" = 1 ]; then SHARE=(--share "$ROOT"); else SHARE=(--no-share); fi
set +e
# Two v4l2loopback devices: /dev/video10 the virtual camera, /dev/video11 a camera a test feeds
# (MJPG: vivid has none). E2E_SOAK_MINUTES runs the live soak (deno task soak; 0/unset: skipped).
# shellcheck disable=SC2016 # expanded inside the VM
"$VM" --timeout "${E2E_TIMEOUT:-1500}" "${SHARE[@]}" --cwd "$ROOT" -e E2E_SOAK_MINUTES \
  --loopback "devices=2 video_nr=10,11 exclusive_caps=1,1 card_label=VirtualCam,MjpgCam" -- \
  bash -c 'cp -r "$1" "$HOME/deno-dir" && export DENO_DIR=$HOME/deno-dir && shift && exec "$@"' \
  e2e "$E2E_DENO_DIR" deno test --allow-all --no-check "$@" "${FILES[@]}"
rc=$?
set -e
echo "test-e2e: exit $rc after $(( $(date +%s) - start )) s (host prep ${prep} s, one VM boot)" >&2
exit $rc
