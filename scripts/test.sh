#!/usr/bin/env bash
# Quick start, the test suite: installs what is missing, then runs every test — format, lint,
# type check, the unit and integration tests, then the end-to-end tests on a real kernel in a VM
# (../shared/vm: vivid camera + v4l2loopback). This is what CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
deno task ok
deno task test:e2e
