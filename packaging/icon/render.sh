#!/usr/bin/env bash
# Render the app icon's PNGs, .ico and .icns from the SVG sources.
#
#   bash packaging/icon/render.sh [PYTHON]
#
# Needs rsvg-convert (Debian: librsvg2-bin) and a Python with Pillow. The PNGs from 32 px up come
# from the scalable icon; 16, 22 and 24 px come from the simplified, pixel-aligned drawings beside
# this script, which read better at those sizes. Run it after editing any of the SVGs and commit
# the results: the build and the wheel only copy the rendered files.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-python3}
app_id=studio.outpaint.OutpaintStudio
icons=resources/icons/hicolor
svg=$icons/scalable/apps/$app_id.svg
small24=packaging/icon/icon-24.svg
small16=packaging/icon/icon-16.svg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

render() {  # render SIZE SOURCE
  local size=$1 source=$2
  mkdir -p "$icons/${size}x${size}/apps"
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio "$source" \
    --output "$icons/${size}x${size}/apps/$app_id.png"
}

render 16 "$small16"
# 22 px: the 24 px drawing without its 1 px margin, so its strokes stay on whole pixels.
sed 's/viewBox="0 0 24 24"/viewBox="1 1 22 22"/; s/width="24" height="24" viewBox/width="22" height="22" viewBox/' \
  "$small24" >"$tmp/icon-22.svg"
render 22 "$tmp/icon-22.svg"
render 24 "$small24"
for size in 32 48 64 128 256 512; do
  render "$size" "$svg"
done
# 1024 px only feeds the .icns (its 512@2x slot).
rsvg-convert --width 1024 --height 1024 "$svg" --output "$tmp/1024.png"

"$python" - "$icons" "$app_id" "$tmp/1024.png" <<'PY'
import sys
from pathlib import Path

from PIL import Image

icons, app_id, big = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
sizes = [16, 22, 24, 32, 48, 64, 128, 256, 512]
images = {s: Image.open(icons / f"{s}x{s}" / "apps" / f"{app_id}.png").convert("RGBA") for s in sizes}
images[1024] = Image.open(big).convert("RGBA")
out = Path("resources")
ico = [images[s] for s in (256, 16, 24, 32, 48, 64, 128)]
ico[0].save(out / f"{app_id}.ico", format="ICO", sizes=[im.size for im in ico],
            append_images=ico[1:])
icns = [images[s] for s in (1024, 16, 32, 64, 128, 256, 512)]
icns[0].save(out / f"{app_id}.icns", format="ICNS", append_images=icns[1:])
print("wrote", *(f"{s}px" for s in sizes), f"{app_id}.ico", f"{app_id}.icns")
PY
