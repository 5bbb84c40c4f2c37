#!/usr/bin/env bash
# Quick start, the main job: installs what is missing, then runs backscrub.
# For now this segments the bundled portrait and writes the cut-out to out/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
mkdir -p out
deno task run segment src/demo/astronaut.png --mask-out out/astronaut-mask.png \
  --cutout out/astronaut-cutout.png "$@"
