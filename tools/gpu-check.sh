#!/usr/bin/env bash
# GPU readiness (issue 24): on a machine with one CUDA GPU, in under 8 minutes, writes a JSON of synthesis frames/s at the
# paper's resolution (Mitsuba 3 and Sionna RT on CUDA), SSL pairs/s at the paper's resolution in bf16 and a 200-step MCL
# run on the `paper` profile's shapes. Without a GPU it runs the same code on the CPU on the `smoke` profile (the fallback
# `make test` checks), since the paper's shapes would take hours on a CPU.
# It also traces a reference sequence on the host CPU (part cpu_trace: same bytes as the reference, deterministic synthesis).
#   tools/gpu-check.sh [--out FILE] [any option of `radiovis bench gpu-check`]      (default FILE: runs/gpu-check/gpu-check.json)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh >&2
args=("$@")
case " $* " in *" --out "*) ;; *) args+=(--out runs/gpu-check/gpu-check.json) ;; esac
if ! .venv/bin/python -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  case " $* " in *" --profile "*) ;; *) echo "[gpu-check] no CUDA GPU here: the CPU fallback on the smoke profile" >&2; args+=(--profile smoke --device cpu) ;; esac
fi
exec timeout "${GPU_CHECK_TIMEOUT:-480}" .venv/bin/radiovis bench gpu-check "${args[@]}"
