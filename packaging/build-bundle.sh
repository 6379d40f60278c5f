#!/usr/bin/env bash
# Build the standalone Linux bundle, dist/outpaint-studio/, and self-test it headless.
#
#   bash packaging/build-bundle.sh [PYTHON]
#
# PYTHON (default: python3) must be 3.11 or newer, built with a shared libpython (Debian's and
# pyenv's are; `python3 -m sysconfig | grep Py_ENABLE_SHARED` says 1). Everything else comes from
# PyInstaller and the project's own dependencies on PyPI, into a venv under build/. The bundle
# runs on Linux machines with a glibc at least as new as the build machine's, so build on the
# oldest distribution you support. About 25 s on 2 cores with a warm pip cache; a cold cache adds
# the download of PySide6, numpy, Pillow and PyInstaller (~250 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
python=${1:-python3}
venv=build/bundle-venv
dist=dist/outpaint-studio
binary=$dist/outpaint-studio
start=$(date +%s)

echo "== venv: $venv"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# The project's dependencies (installing the project itself is the surest way to get exactly
# them); the spec then takes outpaint_studio and resources/ from this checkout.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check . "pyinstaller>=6.10"

echo "== pyinstaller"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/outpaint-studio.spec

# The Python of a pyenv or source build carries debug info (libpython alone is ~17 MB of it), and
# so may locally built wheels. Drop only the debug sections, from files that have them: the code
# and the dynamic symbols stay, so nothing that loads them changes.
if command -v strip >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
  while IFS= read -r -d '' lib; do
    # (grep without -q: reading all of readelf's output spares it a SIGPIPE under pipefail)
    if readelf -S "$lib" 2>/dev/null | grep '\.debug_info' >/dev/null; then
      strip --strip-debug "$lib"
    fi
  done < <(find "$dist" -type f \( -name '*.so' -o -name '*.so.*' \) -print0)
fi
end=$(date +%s)

echo "== self-test (headless, offline)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OUTPAINT_STUDIO_HOME="$work/home"
export QT_QPA_PLATFORM=offscreen
unset BFL_API_KEY OUTPAINT_STUDIO_API_URL
# Run from an empty folder with a bare environment, so nothing from the checkout or the venv
# can stand in for what the bundle lacks.
cd "$work"
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 OUTPAINT_STUDIO_HOME="$OUTPAINT_STUDIO_HOME" \
  QT_QPA_PLATFORM=offscreen "$root/$binary" --version
# A small test image (made with the build venv's Pillow; the bundle itself needs no Python).
"$root/$venv/bin/python" - <<'PY'
from PIL import Image, ImageDraw

image = Image.new("RGB", (160, 120), (90, 140, 200))
draw = ImageDraw.Draw(image)
draw.rectangle((0, 80, 159, 119), fill=(60, 130, 70))
draw.ellipse((100, 15, 130, 45), fill=(250, 200, 60))
image.save("small.png")
PY
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 OUTPAINT_STUDIO_HOME="$OUTPAINT_STUDIO_HOME" \
  QT_QPA_PLATFORM=offscreen \
  "$root/$binary" extend small.png --width 320 --height 240 --engine local -o extended.png --json \
  2>stderr.txt || { cat stderr.txt >&2; exit 1; }
# pypatchmatch logs this when its native library is missing and the engine falls back.
if grep -i "patchmatch failed to load" stderr.txt >&2; then
  echo "the bundle lacks a working libpatchmatch" >&2
  exit 1
fi
"$root/$venv/bin/python" - <<'PY'
from PIL import Image

with Image.open("extended.png") as image:
    assert image.size == (320, 240), image.size
print("extended.png:", image.size, "ok")
PY
# Qt starts, shows a window, loads the icons and image plugins; patchmatch's library loads.
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
  OUTPAINT_STUDIO_HOME="$OUTPAINT_STUDIO_HOME" "$root/$binary" --bundle-self-test
# The same on a real X server, when Xvfb is installed (Debian: xvfb; Qt's xcb plugin also needs
# libxcb-cursor0 and friends on the machine, as any Qt 6 app does).
if command -v Xvfb >/dev/null 2>&1; then
  display=:$((100 + RANDOM % 800))
  Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 1
  status=0
  env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$display" QT_QPA_PLATFORM=xcb \
    OUTPAINT_STUDIO_HOME="$OUTPAINT_STUDIO_HOME" "$root/$binary" --bundle-self-test || status=$?
  kill "$xvfb_pid"
  [ "$status" -eq 0 ] || exit "$status"
fi
# The resources and the native PatchMatch library are inside the bundle.
test -f "$root/$dist/_internal/outpaint_studio/resources/studio.outpaint.OutpaintStudio.desktop"
test -f "$root/$dist/_internal/patchmatch/libpatchmatch.so"
cd "$root"

echo "== done"
echo "build time: $((end - start)) s (venv, pip, PyInstaller and strip; self-test not counted)"
echo "bundle size: $(du -sh "$dist" | cut -f1)  ($dist)"
echo "archive it with: tar -C dist -czf outpaint-studio-linux-x86_64.tar.gz outpaint-studio"
