#!/usr/bin/env bash
# Build the onedir bundle with PyInstaller, then a Linux installer (.deb) around it.
#   packaging/build.sh [PYTHON]     PYTHON: an interpreter with the app and PyInstaller installed
#                                   (default .venv/bin/python; pip install -e ".[bundle]")
# Writes build/dist/radar-desktop/ (the bundle) and build/radar-desktop_<version>_<arch>.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-.venv/bin/python}

"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath build/dist --workpath build/pyinstaller packaging/radar_desktop.spec

version=$("$PYTHON" -c "import radar_desktop; print(radar_desktop.__version__)")
arch=$(dpkg --print-architecture)
tree=build/deb/radar-desktop_${version}_${arch}
rm -rf "$tree"
mkdir -p "$tree/DEBIAN" "$tree/opt" "$tree/usr/bin" "$tree/usr/share/applications" \
    "$tree/usr/share/icons/hicolor/scalable/apps" "$tree/usr/share/icons/hicolor/256x256/apps"
cp -a build/dist/radar-desktop "$tree/opt/radar-desktop"
ln -s ../../opt/radar-desktop/radar-desktop "$tree/usr/bin/radar-desktop"  # relative: works under any root
cp packaging/linux/radar-desktop.desktop "$tree/usr/share/applications/"
cp resources/icon.svg "$tree/usr/share/icons/hicolor/scalable/apps/radar-desktop.svg"
QT_QPA_PLATFORM=offscreen "$PYTHON" packaging/render_icon.py resources/icon.svg 256 \
    "$tree/usr/share/icons/hicolor/256x256/apps/radar-desktop.png"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE_KB@/$(du -sk "$tree" | cut -f1)/" \
    packaging/linux/control.in > "$tree/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip --build "$tree" "build/radar-desktop_${version}_${arch}.deb" >/dev/null
echo "bundle: build/dist/radar-desktop ($(du -sh build/dist/radar-desktop | cut -f1))"
echo "installer: build/radar-desktop_${version}_${arch}.deb ($(du -sh "build/radar-desktop_${version}_${arch}.deb" | cut -f1))"
