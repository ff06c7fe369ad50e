"Issue 16: every user mistake on the command line is one line naming what and where, exit 2, no traceback, nothing half-written."
import os
import re
import subprocess
import sys
from pathlib import Path
import numpy as np
import pytest

def run(*args, env=None, cwd=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, '-c', 'import sys; from radiovis_nb.cli import main; sys.exit(main(sys.argv[1:]))', *args], capture_output=True, text=True, env=e, cwd=cwd, timeout=300)

PROGRESS = re.compile(r'\[\d+:\d\d[^\]]*\]\s*$')   # a progress line (tqdm: '... 45/100 [00:30<00:36, 1.50frame/s]'), written when work passes 30 s on a loaded machine

def one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = [l for l in r.stderr.strip().splitlines() if l.strip() and not PROGRESS.search(l)]
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    for n in needles: assert n in lines[0], (n, lines[0])
    return lines[0]

CASES = [
    (['train-ssl', '--method', 'mcl', '--data', 'd', '--out', 'o', '--epochs', '0'], ['--epochs', '>= 1']),
    (['train-ssl', '--method', 'mcl', '--data', 'd', '--out', 'o', '--epochs', '-1'], ['--epochs']),
    (['train-ssl', '--method', 'mcl', '--data', 'd', '--out', 'o', '--channels', '0'], ['--channels']),
    (['train-ssl', '--method', 'mcl', '--data', 'd', '--out', 'o', '--max-steps', '0'], ['--max-steps']),
    (['train-ssl', '--method', 'mcl', '--data', 'd', '--out', 'o', '--mask-offset', 'nan'], ['--mask-offset', 'finite']),
    (['synth', '--out', 'x', '--max-chunks', '-1'], ['--max-chunks']),
    (['synth', '--out', 'x', '--max-chunks', '0'], ['--max-chunks']),
    (['train-localiser', '--data', 'd', '--labels', 'gt', '--out', 'o', '--epochs', '0'], ['--epochs']),
    (['train-localiser', '--data', 'd', '--labels', 'gt', '--out', 'o', '--fraction', '0'], ['--fraction']),
    (['self-label', '--run', 'r', '--data', 'd', '--out', 'o', '--calibrate', 'labelled:abc'], ['--calibrate', 'labelled:N']),
    (['subspace', '--run', 'r', '--data', 'd', '--out', 'o.png', '--split', 'bogus'], ['--split', 'bogus']),
    (['show', '--data', 'd', '--out', 'o.png', '--index', '-3'], ['--index']),
    (['bench', 'heatmap', '--n', 'many'], ['--n', 'not an integer']),
]

@pytest.mark.parametrize('args,needles', CASES, ids=[' '.join(a[:1] + a[-2:]) for a, _ in CASES])
def test_numbers_and_choices_are_checked(tmp_path, args, needles):
    one_line_error(run(*args, cwd=tmp_path), *needles)
    assert not any(tmp_path.iterdir()), list(tmp_path.iterdir())        # nothing created

def test_profile_mistakes(tmp_path):
    (tmp_path/'bad.yaml').write_bytes(b'base: cpu\nradar:\n  carrier_hz: 2.8e10 \xff\n')
    one_line_error(run('profile', '--profile', str(tmp_path/'bad.yaml')), 'bad.yaml', 'UTF-8')
    one_line_error(run('profile', '--profile', str(tmp_path)), 'is a folder')
    one_line_error(run('profile', env=dict(RADIOVIS_PROFILE='nosuch')), '$RADIOVIS_PROFILE', 'nosuch')
    (tmp_path/'cpu').mkdir()                                             # a folder named like a shipped profile does not shadow it
    r = run('profile', '--profile', 'cpu', '--json', cwd=tmp_path)
    assert r.returncode == 0 and '"name": "cpu"' in r.stdout, r.stderr[-1000:]

def test_device_is_checked_before_anything_is_written(tmp_path):
    one_line_error(run('synth', '--profile', 'smoke', '--out', str(tmp_path/'data'), '--device', 'cuda:7'), 'cuda:7')
    one_line_error(run('train-ssl', '--profile', 'smoke', '--method', 'scl', '--data', str(tmp_path), '--out', str(tmp_path/'run'),
                       '--device', 'tpu'), 'tpu')
    assert not (tmp_path/'data').exists() and not (tmp_path/'run').exists()

def test_synth_out_naming_a_file(tmp_path):
    (tmp_path/'f').write_text('x')
    one_line_error(run('synth', '--profile', 'smoke', '--out', str(tmp_path/'f')), 'is a file')
    assert (tmp_path/'f').read_text() == 'x'

def test_show_index_out_of_range(tmp_path):
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import SynthData, cached_dataset
    d = cached_dataset(load_profile('smoke'))
    n = len(SynthData(d))
    one_line_error(run('show', '--data', str(d), '--out', str(tmp_path/'x.png'), '--index', str(n)), f'--index {n}', f'0 to {n - 1}')
    assert not (tmp_path/'x.png').exists()

def test_unsafe_checkpoint_is_refused(tmp_path):
    import pickle
    class Evil:
        def __reduce__(self): return (os.system, (f'touch {tmp_path}/pwned',))
    (tmp_path/'run').mkdir()
    with open(tmp_path/'run'/'model.pt', 'wb') as f: pickle.dump({'model': Evil(), 'config': {}}, f)
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    d = cached_dataset(load_profile('smoke'))
    for cmd in (['self-label', '--run', str(tmp_path/'run'), '--data', str(d), '--out', str(tmp_path/'lab')],
                ['subspace', '--run', str(tmp_path/'run'), '--data', str(d), '--out', str(tmp_path/'s.png')]):
        one_line_error(run(*cmd), 'model.pt', 'safely')
    assert not (tmp_path/'pwned').exists()

def test_detector_weights_by_name_are_not_downloaded(tmp_path):
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    d = cached_dataset(load_profile('smoke'))
    one_line_error(run('predict-boxes', '--profile', 'smoke', '--weights', 'yolov8n.pt', '--data', str(d), '--out', str(tmp_path/'b.csv'), cwd=tmp_path),
                   'yolov8n.pt', 'nothing is downloaded')

def test_interrupt_exits_130(monkeypatch, capsys):
    import radiovis_nb.cli as cli
    def boom(args): raise KeyboardInterrupt
    monkeypatch.setattr(cli, '_prepare', boom)          # the first step main runs inside its error handling
    assert cli.main(['info']) == 130
    assert 'interrupted' in capsys.readouterr().err

@pytest.mark.parametrize('bad,needle', [('inf', "'inf'"), ('far', "'far'"), ('-10', 'is impossible'), ('1e9', 'is impossible')])
def test_bad_label_values_are_named(tmp_path, bad, needle):
    "A label CSV with inf, a string or an impossible range is refused with its line or frame, and nothing is trained."
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import SynthData, cached_dataset
    d = cached_dataset(load_profile('smoke'))
    data = SynthData(d)
    lab = data.labels.loc[data.split('train'), ['index', 'range_m', 'azimuth_deg']].reset_index(drop=True).astype({'range_m': object})
    lab.loc[3, 'range_m'] = bad
    lab.to_csv(tmp_path/'labels.csv', index=False)
    line = one_line_error(run('train-localiser', '--profile', 'smoke', '--data', str(d), '--labels', str(tmp_path/'labels.csv'),
                              '--out', str(tmp_path/'run')), needle)
    assert 'line 5' in line or f"frame {int(lab.loc[3, 'index'])}" in line, line
    assert not (tmp_path/'run'/'predictions.csv').exists()

def test_outputs_go_where_asked_and_hold_no_machine_paths(tmp_path):
    "synth writes its manifest into its own folder only; nothing in the checkout changes; the manifest names no machine path."
    import json
    import radiovis_nb
    root = Path(radiovis_nb.__file__).resolve().parent.parent
    before = subprocess.run(['git', 'status', '--porcelain', '--', 'data_manifests', 'paper_figures'], cwd=root, capture_output=True, text=True).stdout
    r = run('synth', '--profile', 'smoke', '--set', 'dataset.n_trainval=12', '--set', 'dataset.n_test=0', '--set', 'scene.sequence_length=6',
            '--set', 'dataset.chunk_frames=6', '--out', str(tmp_path/'d'), '--no-progress')
    assert r.returncode == 0, r.stderr[-2000:]
    after = subprocess.run(['git', 'status', '--porcelain', '--', 'data_manifests', 'paper_figures'], cwd=root, capture_output=True, text=True).stdout
    assert before == after, after
    text = (tmp_path/'d'/'manifest.json').read_text()
    assert str(root) not in text and str(tmp_path) not in text, [l for l in text.splitlines() if str(root) in l or str(tmp_path) in l][:3]
    assert json.loads(text)['profile']['source'] == 'profiles/paper.yaml <- profiles/cpu.yaml <- profiles/smoke.yaml'

def _corrupt_copy(tmp_path, key, value, frame_offset=2):
    "A copy of the smoke dataset with one value of `key` in its first chunk replaced and the checksums recomputed, as a careless edit would."
    import json
    import shutil
    import zarr
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    from radiovis_nb.synth import chunk_info, tree_sha256
    src = cached_dataset(load_profile('smoke'))
    d = tmp_path/'data'; shutil.copytree(src, d)
    man = json.loads((d/'manifest.json').read_text())
    rec = man['chunks'][0]
    g = zarr.open_group(str(d/'chunks'/rec['name']), mode='r+')
    a = g[key]; x = a[frame_offset]; x.flat[0] = value; a[frame_offset] = x
    zj = d/'chunks'/rec['name']/'zarr.json'                              # the chunk's own record of its checksum, recomputed
    meta = json.loads(zj.read_text()); meta['attributes']['radiovis_chunk']['sha256'] = tree_sha256(d/'chunks'/rec['name'])
    zj.write_text(json.dumps(meta))
    rec['sha256'] = chunk_info(d/'chunks'/rec['name'])['sha256']
    (d/'manifest.json').write_text(json.dumps(man))
    return d, rec['first'] + frame_offset, rec['name']

def test_nan_csi_is_named_and_nothing_half_written(tmp_path):
    d, frame, chunk = _corrupt_copy(tmp_path, 'csi', complex(np.nan, 0), frame_offset=0)
    line = one_line_error(run('baselines', '--profile', 'smoke', '--data', str(d), '--out', str(tmp_path/'out')), chunk, 'NaN', 'radiovis synth --profile smoke')
    assert f'frame {frame}' in line, line
    assert not (tmp_path/'out'/'cfar'/'predictions.csv').exists()

def test_nan_label_is_named(tmp_path):
    d, frame, chunk = _corrupt_copy(tmp_path, 'labels/range_m', np.nan)
    one_line_error(run('train-localiser', '--profile', 'smoke', '--data', str(d), '--labels', 'gt', '--out', str(tmp_path/'run')),
                   chunk, f'frame {frame}', 'NaN')
    assert not (tmp_path/'run'/'predictions.csv').exists()

@pytest.mark.parametrize('text,needle', [('[1, 2]', 'JSON object'), ('{"radar_cfg": "fast"}', 'JSON object'), ('{"ramap_rsize": "x"}', 'ramap_rsize')])
def test_cruw_sensor_config_not_a_mapping(tmp_path, text, needle):
    from radiovis_nb.cruw import CruwError, sensor_config
    (tmp_path/'sensor_config.json').write_text(text)
    with pytest.raises(CruwError, match=needle): sensor_config(tmp_path)
    r = run('import-cruw', '--data', str(tmp_path), '--out', str(tmp_path/'out'))
    one_line_error(r, 'sensor_config.json')
    assert not (tmp_path/'out'/'manifest.json').exists()

def _rod2021_copy(root, sequences):
    """A copy in CRUW's published ROD2021 layout, written file by file as the cruw-devkit documents it (not by our writer):
    sequences/<split>/<SEQ>/IMAGES_0/%010d.jpg, RADAR_RA_H/%06d_%04d.npy (chirps 0, 64, 128, 192; float32 128x128x2),
    annotations/<split>/<SEQ>.txt lines 'frame range_m azimuth_rad class'. `sequences` = {(split, name): {frame: [(r, az_rad, cls)]}}."""
    from PIL import Image
    rng = np.random.default_rng(0)
    for (split, name), frames in sequences.items():
        d = Path(root)/'sequences'/split/name
        (d/'IMAGES_0').mkdir(parents=True); (d/'RADAR_RA_H').mkdir()
        lines = []
        for fr, objs in frames.items():
            Image.fromarray(rng.integers(0, 255, (216, 288, 3), dtype=np.uint8)).save(d/'IMAGES_0'/f'{fr:010d}.jpg')
            for ch in (0, 64, 128, 192):
                np.save(d/'RADAR_RA_H'/f'{fr:06d}_{ch:04d}.npy', rng.normal(0, 1, (128, 128, 2)).astype(np.float32))
            lines += [f"{fr} {r:.4f} {a:.5f} {c}" for r, a, c in objs]
        (Path(root)/'annotations'/split).mkdir(parents=True, exist_ok=True)
        (Path(root)/'annotations'/split/f'{name}.txt').write_text('\n'.join(lines) + ('\n' if lines else ''))

SMALL = ['dataset.chunk_frames=4', 'dataset.heatmap_height=32', 'dataset.heatmap_width=32', 'camera.width_px=64', 'camera.height_px=48']

@pytest.mark.parametrize('case', ['one sequence, no val', 'frames without objects', 'blocks without any object'])
def test_cruw_import_of_published_layout(tmp_path, case):
    from radiovis_nb.data import SynthData
    car = lambda r, a: (r, np.radians(a), 'car')
    if case == 'one sequence, no val': seqs = {('train', '2019_04_09_BMS1000'): {f: [car(10 + f, 5.0)] for f in range(4)}}
    elif case == 'frames without objects': seqs = {('train', '2019_04_09_BMS1000'): {0: [car(10, 5.0)], 1: [], 2: [car(12, -5.0)], 3: [], 4: [car(9, 0.0)]},
                                                  ('test', '2019_05_09_CM1000'): {0: [], 1: [car(15, 10.0)]}}
    else: seqs = {('train', '2019_04_09_BMS1000'): {f: [] for f in range(4)}, ('train', '2019_04_09_BMS2000'): {f: [car(11, 3.0)] for f in range(4)}}
    _rod2021_copy(tmp_path/'CRUW', seqs)
    r = run('import-cruw', '--data', str(tmp_path/'CRUW'), '--out', str(tmp_path/'d'), *[a for o in SMALL for a in ('--set', o)])
    assert r.returncode == 0, r.stderr[-3000:]
    data = SynthData(tmp_path/'d')
    n = sum(len(f) for f in seqs.values())
    assert len(data) == n and len(data.labels) == n
    lab = data.labels
    has = lab.box_0 >= 0
    assert np.isfinite(lab.loc[has, 'range_m']).all() and lab.loc[~has, 'range_m'].isna().all()
    r = run('show', '--data', str(tmp_path/'d'), '--out', str(tmp_path/'x.png'), '--index', *[str(i) for i in range(min(n, 3))])   # imported data shows too
    assert r.returncode == 0 and (tmp_path/'x.png').stat().st_size > 10_000, r.stderr[-2000:]

def test_divergence_is_one_line_and_not_success(monkeypatch, capsys):
    "Training that diverges (NaN loss) ends with one line naming it and a non-zero exit, never 0."
    import radiovis_nb.cli as cli
    def diverge(args): raise FloatingPointError('localiser training diverged in epoch 3 (loss nan); lower localiser.lr')
    monkeypatch.setattr(cli, '_prepare', diverge)
    assert cli.main(['info']) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'epoch 3' in err[0]

def test_api_numbers_are_never_silently_defaulted(tmp_path):
    "A 0 passed from Python is an error too, not `x or default`."
    from radiovis_nb.backbones import make_backbones
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    from radiovis_nb.localiser import train_localiser
    from radiovis_nb.params import ConfigError
    p = load_profile('smoke')
    with pytest.raises(ConfigError, match='out_channels 0'): make_backbones(p, 0)
    with pytest.raises(ConfigError, match='epochs 0'): train_localiser(p, cached_dataset(p), 'gt', tmp_path/'o', epochs=0)
    assert not (tmp_path/'o').exists()
