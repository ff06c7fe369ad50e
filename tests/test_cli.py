"The console script as a user meets it: help, info, profiles, errors, reproduce."
import json
from pathlib import Path
from conftest import run_cli

def test_help_lists_subcommands():
    r = run_cli('--help')
    assert r.returncode == 0
    for cmd in ('info', 'profile', 'reproduce', 'bench'): assert cmd in r.stdout

def test_info_prints_versions_device_profile():
    r = run_cli('info', '--profile', 'cpu')
    assert r.returncode == 0, r.stderr
    for key in ('torch', 'numpy', 'sionna-rt', 'mitsuba', 'device', 'profile      cpu'): assert key in r.stdout
    assert 'not installed' not in r.stdout.split('device')[0], r.stdout

def test_profile_json_and_override():
    r = run_cli('profile', '--profile', 'paper', '--set', 'radar.bandwidth_hz=4e8', '--json')
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d['radar']['bandwidth_hz'] == 4e8 and d['radar']['carrier_hz'] == 28e9

def test_bad_value_is_a_clear_error():
    r = run_cli('info', '--set', 'radar.n_rx=0')
    assert r.returncode == 2
    assert 'radar.n_rx: must be >= 1' in r.stderr and 'Traceback' not in r.stderr

def test_bad_profile_file_names_file_and_key(tmp_path):
    f = tmp_path/'mine.yaml'
    f.write_text('base: smoke\ncamera:\n  width_px: -5\n')
    r = run_cli('info', '--profile', str(f))
    assert r.returncode == 2
    assert 'mine.yaml' in r.stderr and 'camera.width_px' in r.stderr

def test_reproduce_runs_built_stages_and_lists_the_rest(tmp_path):
    r = run_cli('reproduce', '--profile', 'smoke', '--fig-dir', str(tmp_path), '--stages', 'ofdm_primer', 'blur_model', 'train_ssl')
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path/'fig_primer_point_targets.png').stat().st_size > 10_000
    assert (tmp_path/'fig09_blur_model.png').stat().st_size > 10_000
    assert 'train_ssl: NOT BUILT YET' in r.stdout
    assert 'ran 2 stage(s)' in r.stdout
