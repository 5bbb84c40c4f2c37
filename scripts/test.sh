#!/usr/bin/env bash
# Quick start, the test suite: installs what is missing, then runs every test — format, lint,
# type check, the unit and integration tests, then the end-to-end tests on a real kernel in a VM
# (../shared/vm: vivid camera + v4l2loopback). This is what CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BACKSCRUB_APT_EXTRA="${BACKSCRUB_APT_EXTRA:-} chromium gcc linux-libc-dev systemd pipewire wireplumber dbus gstreamer1.0-pipewire gstreamer1.0-tools libpipewire-0.3-dev libspa-0.2-dev pkg-config xdg-desktop-portal libglib2.0-bin" bash scripts/setup.sh # the panel test; C layout probes; systemd-analyze; the PipeWire camera (a private session, pipewiresrc, the SPA headers, the camera portal and gdbus)
export PATH="$HOME/.local/bin:$PATH"
# The whole suite is also a privacy check (README, Privacy): ONNX Runtime's telemetry, were it on,
# would leave mat-debug-<pid>.log files in /tmp and a queue under ~/.cache/Microsoft.
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
deno task ok
deno task test:e2e
trace=$(find /tmp "${TMPDIR:-/tmp}" -maxdepth 1 -name 'mat-debug-*' -newer "$stamp" 2>/dev/null
  find "${XDG_CACHE_HOME:-$HOME/.cache}/Microsoft" "$HOME/.cache/Microsoft" -newer "$stamp" \
    2>/dev/null) || true
if [ -n "$trace" ]; then
  printf 'test: ONNX Runtime telemetry wrote during the tests (it must be off):\n%s\n' "$trace" >&2
  exit 1
fi
echo "test: no telemetry trace (no new mat-debug-* in /tmp, nothing new under .cache/Microsoft)" >&2
