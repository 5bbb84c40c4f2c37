#!/usr/bin/env bash
# Quick start, the main job: installs what is missing, then runs backscrub: live (camera →
# virtual camera, background blurred) when a camera and a virtual camera (a v4l2loopback device,
# or PipeWire running: then a PipeWire camera) are present, otherwise the built-in demo, which writes out/demo.mp4 and out/demo-preview.png.
# Extra arguments go to backscrub (e.g. -b studio.png).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
if deno task -q run devices >/dev/null 2>&1; then
  echo "run: a camera and a virtual camera are present: starting backscrub (Ctrl-C stops it)" >&2
  exec deno task -q run "$@"
fi
echo "run: no camera + virtual camera (v4l2loopback or PipeWire) found (backscrub devices says why): running the demo" >&2
exec deno task -q run demo "$@"
