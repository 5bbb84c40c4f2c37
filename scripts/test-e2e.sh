#!/usr/bin/env bash
# End-to-end tests on a real kernel: boots ONE VM (../shared/vm/run-in-vm.sh: vivid at
# /dev/video0, v4l2loopback at /dev/video10 with exclusive_caps=1) and runs every
# tests/e2e/*_e2e.ts inside it. The files are named *_e2e.ts, not *_test.ts, so the normal
# suite never runs them on hosts without video devices.
#
# Usage: bash scripts/test-e2e.sh [extra deno test args, e.g. --filter MJPG]
# Env:   BACKSCRUB_VM (path to run-in-vm.sh), E2E_TIMEOUT (seconds, default 1500)
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
set +e
"$VM" --timeout "${E2E_TIMEOUT:-1500}" --share "$ROOT" --cwd "$ROOT" -- \
  deno test --allow-all --no-check "$@" "${FILES[@]}"
rc=$?
set -e
echo "test-e2e: exit $rc after $(( $(date +%s) - start )) s (one VM boot)" >&2
exit $rc
