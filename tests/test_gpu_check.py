"tools/gpu-check.sh (issue 24): without a GPU it runs the CPU fallback on smoke and writes a JSON with every part."
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_check_script_cpu_fallback_writes_every_part(tmp_path):
    out = tmp_path/'gpu.json'
    r = subprocess.run(['tools/gpu-check.sh', '--out', str(out), '--mcl-steps', '3', '--steps', '2'], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, CUDA_VISIBLE_DEVICES=''), timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'CPU fallback' in r.stderr
    res = json.loads(out.read_text())
    assert res['profile'] == 'smoke' and res['device'] == 'cpu'
    assert res['machine']['cpus'] == os.cpu_count() and res['machine']['gpu'] is None       # the machine it measured, with its figures
    assert {k: v['ok'] for k, v in res['parts'].items()} == dict(synthesis=True, dataset=True, ssl_bench=True, mcl_run=True, cpu_trace=True)
    assert len(res['parts']['cpu_trace']['digest']) == 16 and isinstance(res['parts']['cpu_trace']['same'], bool)   # the reference trace, on this CPU
    assert res['parts']['mcl_run']['steps'] == 3 and res['parts']['mcl_run']['finite']
    assert res['parts']['synthesis']['frames_per_s'] > 0 and res['parts']['ssl_bench']['pairs_per_s'] > 0
