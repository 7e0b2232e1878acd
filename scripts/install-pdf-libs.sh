#!/usr/bin/env bash
# What WeasyPrint (the printed program's PDF) needs from Debian: Pango, and a font with Latin and
# Cyrillic letters that the print stylesheet names (DejaVu Sans). `make install` runs this; as
# root it installs what is missing with apt-get, otherwise it says what to install.
set -euo pipefail
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ! command -v dpkg-query >/dev/null; then
  echo "Not Debian: install Pango and the DejaVu fonts yourself for the PDF of the program"
  exit 0
fi
missing=()
for package in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} = 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the PDF of the program…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "${missing[*]} missing and cannot be installed here (as root: apt-get install ${missing[*]}):"
echo "the portal runs, but the PDF of the program needs them (without Pango, /LANG/program.pdf answers 503)"
