#!/usr/bin/env bash
# deno task native-ref: builds the native C++ yardstick (../shared/native-ref, or $NATIVE_REF_SRC)
# into .cache/native-ref/native_ref (gitignored), where `deno task bench` finds it and prints the
# native figures and the ratio beside its own rows ($BACKSCRUB_NATIVE_REF names another binary).
#
# The sources are copied first: their folder stays untouched (it is read-only by mode, but root
# could write there, and its build.sh builds in place when it can). The yardstick's build.sh
# installs g++, libopencv-dev and libturbojpeg0-dev when they are missing (apt, as root or with
# sudo). It loads the same ONNX Runtime library as the project: the bench hands it the library's
# path (--ort-lib), and node_modules here points at the project's, so build.sh needs no npm.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${NATIVE_REF_SRC:-"$ROOT/../shared/native-ref"}
if [ ! -f "$src/native_ref.cpp" ]; then
  echo "native-ref: no sources in \"$src\" (set NATIVE_REF_SRC to the native-ref folder)" >&2
  exit 1
fi
out="$ROOT/.cache/native-ref"
mkdir -p "$out"
cp "$src"/*.cpp "$src"/*.h "$src"/build.sh "$src"/package.json "$src"/package-lock.json "$out/"
chmod u+w "$out"/*
[ -e "$out/node_modules" ] || ln -s "$ROOT/node_modules" "$out/node_modules"
sh "$out/build.sh" >/dev/null
echo "$out/native_ref"
