#!/usr/bin/env bash
# Builds a Debian package of the standalone executable with dpkg-deb:
#   /usr/bin/backscrub                                     the executable (deno task compile)
#   /usr/lib/systemd/user/backscrub.service                the user service
#   /usr/share/backscrub/modprobe.d/v4l2loopback.conf      v4l2loopback options (example)
#   /usr/share/backscrub/modules-load.d/v4l2loopback.conf  load it at boot (example)
#   /usr/share/backscrub/config.example.json               a settings file to start from
#   /usr/share/doc/backscrub/{README.md,copyright}
# Depends: libc6, libv4l-0, libturbojpeg0; Recommends: v4l2loopback-dkms; Suggests: ffmpeg.
# ONNX Runtime, the models and the backgrounds are inside the executable.
#
# Usage: bash scripts/package-deb.sh [--binary PATH] [--output DIR] [--version V] [--arch A]
#                                    [--compression xz|gzip|zstd|none]
#   --binary       the executable to package (default dist/backscrub, from deno task compile)
#   --output       where the .deb goes (default dist/); prints its path on stdout
#   --version      package version (default: deno.json's "version")
#   --arch         Debian architecture (default: dpkg --print-architecture)
#   --compression  dpkg-deb's -Z (default xz)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "package-deb: $*" >&2; exit 1; }

binary="$ROOT/dist/backscrub"
outdir="$ROOT/dist"
version=""
arch=""
compression=xz
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --output) outdir=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$1\" (see --help)" ;;
  esac
done

command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (sudo apt install dpkg)"
[ -f "$binary" ] || die "no executable at \"$binary\": run \"deno task compile\" first (or give --binary)"
[ -x "$binary" ] || die "\"$binary\" is not executable"
if [ "$(head -c 2 "$binary")" = "#!" ]; then
  echo "package-deb: note: \"$binary\" is a script, not a compiled executable" >&2
fi
if [ -z "$version" ]; then
  version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ROOT/deno.json" | head -1)
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "invalid version \"$version\""
[ -n "$arch" ] || arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$work/backscrub"
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib/systemd/user" \
  "$pkg/usr/share/backscrub/modprobe.d" "$pkg/usr/share/backscrub/modules-load.d" \
  "$pkg/usr/share/doc/backscrub"
install -m 0755 "$binary" "$pkg/usr/bin/backscrub"
P="$ROOT/packaging"
install -m 0644 "$P/backscrub.service" "$pkg/usr/lib/systemd/user/backscrub.service"
install -m 0644 "$P/modprobe.d/v4l2loopback.conf" "$pkg/usr/share/backscrub/modprobe.d/"
install -m 0644 "$P/modules-load.d/v4l2loopback.conf" "$pkg/usr/share/backscrub/modules-load.d/"
install -m 0644 "$P/config.example.json" "$pkg/usr/share/backscrub/config.example.json"
install -m 0644 "$ROOT/README.md" "$pkg/usr/share/doc/backscrub/README.md"
install -m 0644 "$P/deb/copyright" "$pkg/usr/share/doc/backscrub/copyright"

size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
  "$P/deb/control.in" >"$pkg/DEBIAN/control"
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"

mkdir -p "$outdir"
deb="$(cd "$outdir" && pwd)/backscrub_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"$compression" --build "$pkg" "$deb" >/dev/null
echo "package-deb: wrote $deb ($(du -h "$deb" | cut -f1))" >&2
echo "$deb"
