#!/usr/bin/env bash
# Quick start, the test suite: installs what is missing, then runs every test (what CI runs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
deno task ok
