#!/usr/bin/env bash
# `make test`: the notebooks and the package agree, the notebooks run as tests, and pytest passes. Runs the smoke profile.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export RADIOVIS_PROFILE=smoke
export RADIOVIS_CACHE="${RADIOVIS_CACHE:-$PWD/runs/.cache}"
t0=$(date +%s)
fail() { echo "[test] FAILED: $*" >&2; exit 1; }

# 1. the package is what nbdev_export makes of the notebooks, and the notebooks are clean
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  nbdev_export
  drift=$(git status --porcelain -- 'radiovis_nb/*.py')
  [ -z "$drift" ] || { git --no-pager diff --stat -- 'radiovis_nb/*.py'; echo "$drift"
    fail "nbdev_export changed radiovis_nb/: the notebooks and the package disagree. Run nbdev_export and commit the result."; }
  nbdev_clean
  dirty=$(git status --porcelain -- nbs)
  [ -z "$dirty" ] || { echo "$dirty"; fail "nbdev_clean changed notebooks: run nbdev_clean and commit the result."; }
  echo "[test] notebooks and radiovis_nb/ agree; notebooks are clean"
else
  echo "[test] not a git checkout: skipping the notebook/package sync check"
fi

# 2. the linter (ruff.toml: unused imports and variables, undefined names, bare except, import order); fix findings in nbs/
ruff check radiovis_nb tests || fail "ruff found problems: fix them in the notebooks (radiovis_nb/ is generated), run nbdev_export"
echo "[test] ruff: radiovis_nb/ and tests/ are clean"

# 3. the notebooks as tests (cells flagged `slow` are skipped; `nbdev_test --flags slow` runs them)
n_nbs=$(find nbs -maxdepth 1 -name '[0-9]*.ipynb' | wc -l)
[ "$n_nbs" -gt 0 ] || fail "no notebooks to test in nbs/"
echo "[test] nbdev_test: $n_nbs notebooks"
nbdev_test --n_workers 2 --timing

# 4. integration tests
python -m pytest tests/ -ra -q -p no:cacheprovider || { rc=$?; [ $rc = 5 ] && fail "pytest collected no tests"; exit $rc; }
echo "[test] all passed in $(( $(date +%s) - t0 )) s"
