#!/usr/bin/env bash
# Installs the Debian packages ripple needs to build and test, when missing.
# Runs apt-get only as root; otherwise lists what is missing and fails.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  php8.2-dev libphp8.2-embed php8.2-cli php-parser php8.2-sqlite3
  libevent-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  googletest libgtest-dev phpunit
  netcat-openbsd procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ripple: missing Debian packages: ${missing[*]}" >&2
  echo "ripple: run 'sudo make deps' (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "ripple: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
