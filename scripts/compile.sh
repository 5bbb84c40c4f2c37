#!/usr/bin/env bash
# deno task compile: builds the single executable dist/backscrub.
#
# 1. packaging/stage.ts stages what the executable embeds in dist/stage: the program, the
#    converted models, the bundled backgrounds, the demo portrait and ONNX Runtime
#    (lib/libonnxruntime.so.1 + lib/onnxruntime.json with its SHA-256; at run time it is
#    extracted once to $XDG_CACHE_HOME/backscrub/<sha256>/). Run "deno task setup" first.
# 2. deno compile runs inside dist/stage with the permissions and --include list that
#    packaging/stage.ts prints (no network permission), so the executable's virtual file
#    system is exactly that tree — the tree tests/compiled_test.ts runs.
# 3. The executable is started once (--version) to show it works.
#
# deno compile downloads its runtime (denort) from dl.deno.land, or takes it from DENORT_BIN.
# Where that server cannot be reached, download denort-<target>.zip of the same Deno version
# elsewhere, unzip it, and run: DENORT_BIN=/path/to/denort deno task compile
#
# Usage: bash scripts/compile.sh [extra deno compile flags, e.g. --target aarch64-unknown-linux-gnu]
# Env:   BACKSCRUB_COMPILE_OUTPUT (default dist/backscrub), BACKSCRUB_ORT_LIB (the library to embed)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
out=${BACKSCRUB_COMPILE_OUTPUT:-dist/backscrub}
case "$out" in /*) ;; *) out="$ROOT/$out" ;; esac
stage="$ROOT/dist/stage"
mkdir -p "$(dirname "$out")"

deno run --quiet --allow-read --allow-write --allow-env packaging/stage.ts "$stage" >&2
mapfile -t flags < <(deno run --quiet packaging/stage.ts --flags)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! (cd "$stage" && deno compile --quiet "${flags[@]}" --output "$out" main.ts "$@") 2>"$log"; then
  cat "$log" >&2
  v=$(deno --version | head -1 | cut -d' ' -f2)
  target=$(deno eval --quiet 'console.log(Deno.build.target)')
  if grep -q 'Could not find denort' "$log"; then
    echo "compile: DENORT_BIN=\"${DENORT_BIN:-}\" is not a file: point it at the denort binary" \
      "unzipped from denort-$target.zip of Deno $v" >&2
  elif grep -qiE 'dl\.deno\.land|dns error|error sending request|Setting up base binary' "$log"; then
    echo "compile: deno compile could not download its runtime (denort $v) from dl.deno.land." >&2
    echo "compile: everything else is ready (dist/stage holds the tree to embed)." >&2
    echo "compile: download https://dl.deno.land/release/v$v/denort-$target.zip where the" \
      "server can be reached, unzip it here and run:" >&2
    echo "compile:   DENORT_BIN=\$PWD/denort deno task compile" >&2
  fi
  exit 1
fi
echo "compile: wrote $out ($(du -h "$out" | cut -f1))" >&2
"$out" --version
