#!/usr/bin/env bash
# Install the Debian packages needed to build, test and run the service.
# Fast no-op when everything is already installed.
#
# Usage: scripts/deps.sh [EXTRA_PACKAGE...]
#   e.g. scripts/deps.sh wrk
set -euo pipefail

packages=(
    build-essential
    cmake
    pkg-config
    libulfius-dev
    libjansson-dev
    libpq-dev
    libjwt-dev
    liborcania-dev
    libyder-dev
    libmicrohttpd-dev
    libgnutls28-dev
    check
    postgresql-15
    python3
    python3-yaml
    curl
    valgrind
    "$@"
)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
    echo "deps.sh: needed packages: ${packages[*]}" >&2
    exit 1
fi

# Node.js and npm build the API reference page (/docs) and check the spec. A Node.js
# from elsewhere (e.g. NodeSource, which bundles npm) counts as present.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null || true)"
    case "$status" in
        *" ok installed"*) ;;
        *) missing+=("$pkg") ;;
    esac
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps.sh: missing packages: ${missing[*]}" >&2
        echo "deps.sh: not root and sudo is not available; install them manually." >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "deps.sh: installing: ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
