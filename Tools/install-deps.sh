#!/usr/bin/env bash
# The Debian packages UrbanGrid builds and tests with (GEOS, PROJ + its database, SpatiaLite, SQLite, CBC, zlib).
# Idempotent; skips apt when everything is present already.
#   Tools/install-deps.sh [EXTRA-PACKAGE...]   (e.g. gdal-bin for the export check, chromium for screenshots)
set -euo pipefail
packages=(libgeos-dev libproj-dev proj-data proj-bin libspatialite-dev libsqlite3-mod-spatialite libsqlite3-dev pkg-config coinor-libcbc-dev zlib1g-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
