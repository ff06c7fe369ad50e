#!/usr/bin/env bash
# Everything radiovis needs, on a fresh Debian/Ubuntu machine with Python >= 3.10; `make setup` (and so `make test` and
# `make reproduce`) runs it. Idempotent: a second run skips what is done (the pip step re-runs only when
# requirements.txt, setup.py or settings.ini change).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
say() { echo "[setup] $*"; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {  # apt_install PKG...: as root via apt-get; returns 1 when that is not possible
  is_root && command -v apt-get >/dev/null 2>&1 || return 1
  # wait for another apt/dpkg (an unattended upgrade, a parallel set-up) instead of failing on its lock
  if [ -z "${_APT_UPDATED:-}" ]; then apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null && _APT_UPDATED=1 || return 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

# 1. Python >= 3.10
command -v "$PY" >/dev/null 2>&1 || { echo "radiovis needs Python >= 3.10: '$PY' not found (set PYTHON=/path/to/python3)"; exit 1; }
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || { echo "radiovis needs Python >= 3.10; $PY is $("$PY" --version 2>&1)"; exit 1; }

# 2. the virtual environment in the repository
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV with $("$PY" --version)"
  if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python$ver-venv" || apt_install python3-venv || {
      echo "python -m venv failed: install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv) and run again"; exit 1; }
    "$PY" -m venv "$VENV"
  fi
fi

# 3. pinned packages and the package itself (editable: nbdev_export updates it in place)
key=$(cat requirements.txt setup.py settings.ini | sha256sum | cut -c1-16)
stamp="$VENV/.radiovis-setup-$key"
if [ ! -f "$stamp" ]; then
  say "installing pinned packages (requirements.txt) into $VENV; the first time takes a few minutes"
  t0=$(date +%s)
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e . 2> >(grep -v "^WARNING: Location" >&2)
  rm -f "$VENV"/.radiovis-setup-*
  touch "$stamp"
  say "packages installed in $(( $(date +%s) - t0 )) s"
else
  say "packages up to date ($VENV)"
fi

# 4. Dr.Jit (Mitsuba 3, Sionna RT) on a CPU needs libLLVM >= 16; on a GPU machine it uses CUDA instead
if [ "$(uname -s)" = Linux ] && ! command -v nvidia-smi >/dev/null 2>&1; then
  llvm() { "$VENV/bin/python" -c 'from radiovis_nb.cli import llvm_for_drjit as f; p = f(); print(p or ""); raise SystemExit(0 if p else 1)'; }
  if found=$(llvm); then
    say "LLVM for Dr.Jit: $found"
  else
    say "no libLLVM >= 16 for Dr.Jit's CPU backend: installing libllvm19"
    if apt_install libllvm19 && found=$(llvm); then
      say "LLVM for Dr.Jit: $found"
    else
      echo "[setup] WARNING: Mitsuba 3 / Sionna RT need libLLVM >= 16 on a CPU-only machine and none could be installed."
      echo "[setup]          As root: apt-get install libllvm19 (Debian 12, Ubuntu 24.04), or set DRJIT_LIBLLVM_PATH to a libLLVM.so."
      echo "[setup]          Stages that synthesise data will fail until then; the others work."
    fi
  fi
fi

# 5. the project's Jupyter kernel, "radiovis": the notebooks name it, so they run on this .venv in `make lab` (and any
#    Jupyter started from .venv); `python -m ipykernel install --user --name radiovis` from .venv makes it visible to others
#    Registered by its physical path: a checkout that links to another one's .venv (a git worktree) must not repoint it.
kernel="$VENV/share/jupyter/kernels/radiovis/kernel.json"
vpy="$(cd "$VENV/bin" && pwd -P)/python"
if ! grep -q "\"$vpy\"" "$kernel" 2>/dev/null; then
  "$vpy" -m ipykernel install --sys-prefix --name radiovis --display-name radiovis >/dev/null
  say "Jupyter kernel 'radiovis' registered ($VENV/share/jupyter/kernels/radiovis)"
fi

# 6. a headless browser for the docs' page test (tests/test_docs.py): Debian's chromium, as root
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if apt_install chromium; then say "chromium installed (the docs' browser test)"
  else say "no chromium and it cannot be installed here (needs root and apt-get): the docs' browser test will be skipped"; fi
fi
