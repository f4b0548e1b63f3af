# Shared set-up for scripts/demo and scripts/test (sourced, not run).
# Installs what is missing and nothing else, so a second run is quick and changes nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*  (run as root or install sudo)"; return 1
  fi
}

# Debian packages the project needs (graphviz: `dot` renders `wann draw` DOT files and checks them
# in tests); installed only when missing.
SYSTEM_PACKAGES=(libhdf5-dev hdf5-tools pkg-config graphviz)
# Python for the venv; skipped when a Python with venv and pip (e.g. pyenv's) is already there.
PYTHON_PACKAGES=(python3 python3-venv python3-pip)

missing_packages() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

ensure_system_packages() {
  local missing
  mapfile -t missing < <(missing_packages "${SYSTEM_PACKAGES[@]}")
  if ! (command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null); then
    mapfile -t -O "${#missing[@]}" missing < <(missing_packages "${PYTHON_PACKAGES[@]}")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v swift >/dev/null || { log "swift is not on PATH: install Swift 6 (https://swift.org/install)"; return 1; }
}

ensure_venv() {
  local stamp="$VENV/.requirements.sha256"
  local want; want="$(sha256sum "$ROOT/scripts/requirements.txt" | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing Python requirements into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/scripts/requirements.txt"
    echo "$want" > "$stamp"
  fi
}

build_release() {
  log "building release (swift build -c release)"
  (cd "$ROOT" && swift build -c release --product wann 2>&1 | grep -vE '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Planning)' || true)
  [ -x "$ROOT/.build/release/wann" ] || { log "release build failed"; return 1; }
}
