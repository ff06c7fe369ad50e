"The console script as a user meets it: help, info, profiles, errors, reproduce."
import json
from conftest import run_cli

def test_help_lists_subcommands():
    r = run_cli('--help')
    assert r.returncode == 0
    for cmd in ('info', 'profile', 'reproduce', 'bench'): assert cmd in r.stdout

def test_version():
    from radiovis_nb import __version__
    r = run_cli('--version')
    assert r.returncode == 0 and r.stdout.strip() == f'radiovis {__version__}', (r.stdout, r.stderr)

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

def test_reproduce_runs_the_chosen_stages(tmp_path):
    r = run_cli('reproduce', '--profile', 'smoke', '--fig-dir', str(tmp_path), '--stages', 'ofdm_primer', 'blur_model')
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path/'fig_primer_point_targets.png').stat().st_size > 10_000
    assert (tmp_path/'fig09_blur_model.png').stat().st_size > 10_000
    assert 'ran 2 stage(s)' in r.stdout

EXPECTED = ['fig_primer_point_targets.png', 'fig09_blur_model.png', 'fig03_dataset_examples.png', 'fig14e_car_dimensions.png',
            'tab4.md', 'tab4.csv', 'tab5.md', 'tab5.csv', 'tab6.md', 'tab6.csv', 'tab07.md', 'tab07.csv', 'tab08.md', 'tab08.csv',
            'fig05_error_cdf.png', 'fig06_label_density.png', 'fig07_mask_offset.png', 'fig08_feature_dims.png', 'fig10_subspace.png',
            'fig13_label_histograms.png', 'fig_error_by_range.png', 'REPORT.md']

def test_reproduce_smoke_end_to_end(tmp_path, root):
    "CI: the whole pipeline on the smoke profile writes every table and figure (their values are not checked)."
    r = run_cli('reproduce', '--profile', 'smoke', '--fig-dir', str(tmp_path), timeout=1500)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    from radiovis_nb.pipeline import STAGES
    assert f'ran {len(STAGES)} stage(s)' in r.stdout              # every stage of the registry ran
    assert list(json.loads((root/'runs'/'smoke'/'timings.json').read_text())) == [s.name for s in STAGES]
    missing = [f for f in EXPECTED if not (tmp_path/f).is_file()]
    assert not missing, missing
    assert 'Tab. 4' in (tmp_path/'REPORT.md').read_text()
    assert (root/'runs'/'smoke'/'html'/'index.html').exists() and (root/'runs'/'smoke'/'html'/'20_results.html').stat().st_size > 10_000
    gt = json.loads((root/'runs'/'smoke'/'labels'/'rodnet-gt-teacher'/'labels.json').read_text())
    assert (gt['method'], gt['boxes_source']) == ('RODNet (GT boxes)', 'gt')
    det = root/'runs'/'smoke'/'labels'/'rodnet-teacher'/'labels.json'       # absent when the smoke detector finds no box at all
    if det.exists(): assert json.loads(det.read_text())['boxes_source'] == 'detector'

def test_old_spellings_work_with_a_note(tmp_path):
    "Issue 17: `selflabel` and the positional `show DATA` still parse for one release, each with a note naming the new spelling."
    r = run_cli('selflabel', '--run', str(tmp_path/'no-run'), '--data', str(tmp_path/'no-data'), '--out', str(tmp_path/'o'))
    assert "'radiovis self-label'" in r.stderr and r.returncode == 2 and 'Traceback' not in r.stderr
    r = run_cli('show', str(tmp_path/'no-data'), '--out', str(tmp_path/'x.png'))
    assert f'takes --data {tmp_path/"no-data"} now' in r.stderr and r.returncode == 2, r.stderr
    r = run_cli('show', str(tmp_path/'a'), '--data', str(tmp_path/'b'), '--out', str(tmp_path/'x.png'))
    assert r.returncode == 2 and '--data given twice' in r.stderr

def test_every_computing_subcommand_takes_profile_set_and_device():
    "Issue 17: one helper gives --profile / --set (and --device where a device is used) to every subcommand that computes."
    import argparse
    from radiovis_nb.cli import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    nested = ('bench', 'study')                                       # commands with sub-subcommands: their leaves compute
    leaves = {n: p for n, p in sub.items() if n not in nested}
    for g in nested:
        leaves.update({f'{g} {n}': p for n, p in next(a for a in sub[g]._actions if isinstance(a, argparse._SubParsersAction)).choices.items()})
    assert {'bench localiser', 'bench gpu-check', 'study scaling'} <= set(leaves)
    no_device = {'info', 'profile', 'import-cruw', 'evaluate', 'bench ssl-estimate', 'export-yolo', 'show'}
    for name, p in leaves.items():
        opts = {o for a in p._actions for o in a.option_strings}
        if name in ('export-yolo', 'show'): assert {'--data', '--out'} <= opts, name; continue    # no computation: data in, file out
        assert {'--profile', '--set'} <= opts, name
        assert ('--device' in opts) == (name not in no_device), name
