#!/usr/bin/env bash
# Installs everything backscrub needs on Debian/Ubuntu, idempotently (a second run takes seconds):
#   Deno (from npm) when missing, the apt libraries libturbojpeg0 and libv4l-0, the npm packages
#   (ONNX Runtime's libonnxruntime.so.1 from onnxruntime-node, the MediaPipe models), and the
#   converted models in models/*.onnx.
# Extra apt packages for the test suite can be passed in BACKSCRUB_APT_EXTRA.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install sudo or run this as root)"; fi
}

apt_install() {
  say "installing $* with apt"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q "$@" >/dev/null; } ||
    die "apt-get install $* failed"
}

# 1. Deno 2.x, from the npm registry when missing.
deno_ok() { command -v deno >/dev/null 2>&1 && deno --version 2>/dev/null | grep -Eq '^deno ([2-9]|[1-9][0-9])\.'; }
if ! deno_ok; then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ "$(id -u)" = 0 ]; then
    say "installing Deno from npm (npm install -g deno)"
    npm install -g --no-fund --no-audit deno@2 >/dev/null
  else
    say "installing Deno from npm into ~/.local (npm install -g --prefix ~/.local deno)"
    npm install -g --no-fund --no-audit --prefix "$HOME/.local" deno@2 >/dev/null
    export PATH="$HOME/.local/bin:$PATH"
    say "Deno is in ~/.local/bin: add it to your PATH to run deno tasks by hand"
  fi
  deno_ok || die "Deno did not install; install it by hand (npm install -g deno) and run this again"
fi

# 2. Native libraries from apt.
missing=()
have_lib() { /sbin/ldconfig -p 2>/dev/null | grep -q "$1" || ls /usr/lib/*/"$1" >/dev/null 2>&1; }
have_lib libturbojpeg.so.0 || missing+=(libturbojpeg0)
have_lib libv4l2.so.0 || missing+=(libv4l-0)
# ffmpeg: video files in and out (-c clip.mp4, -v out.mp4, the demo's mp4) and video backgrounds.
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
for pkg in ${BACKSCRUB_APT_EXTRA:-}; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# 3. npm packages (pinned by deno.lock), then 4. the models.
deno install --frozen --quiet
deno run --allow-read --allow-write --allow-env scripts/setup_models.ts
