#!/usr/bin/env bash
# deno task compile: builds the single executable dist/backscrub with the models embedded.
# `deno compile` downloads its runtime (denort) from dl.deno.land; offline, point DENORT_BIN at a
# denort binary of the same Deno version (from denort-<target>.zip of the matching release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p dist
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! deno compile --allow-ffi --allow-read --allow-write --allow-env --allow-run --allow-sys \
  --include models --include src/demo --output dist/backscrub main.ts "$@" 2>"$log"; then
  cat "$log" >&2
  if grep -qiE 'dns error|error sending request|denort|Connect' "$log"; then
    v=$(deno --version | head -1 | cut -d' ' -f2)
    echo "compile: deno compile could not get its runtime (denort $v) from dl.deno.land." >&2
    echo "compile: offline, download denort-x86_64-unknown-linux-gnu.zip of Deno $v elsewhere," >&2
    echo "compile: unzip it and run: DENORT_BIN=/path/to/denort deno task compile" >&2
  fi
  exit 1
fi
echo "compile: wrote dist/backscrub"
