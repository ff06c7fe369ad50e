"Issue 26, round 2 of issue 16: nothing unsafe, nothing silent, on every path a user can walk. One test per category; the table of user mistakes runs the CLI in-process (main() returns, so no traceback escaped)."
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
import pytest
from test_bad_input import PROGRESS, one_line_error, run
import radiovis_nb.cli as cli

@pytest.fixture(scope='module')
def smoke():
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    return cached_dataset(load_profile('smoke'))

def main_line(capsys, argv, code=2):
    "Run `radiovis argv` in this process: it returns `code` (an escaped exception fails the test), with exactly one line on stderr, which is returned."
    capsys.readouterr()
    try: rc = cli.main([str(a) for a in argv])
    except SystemExit as e: rc = e.code                 # argparse's own errors (exit 2, one line)
    err = [l for l in capsys.readouterr().err.strip().splitlines() if l.strip() and not PROGRESS.search(l)]
    assert rc == code, (rc, err)
    assert len(err) == 1, err
    return err[0]

def files_in(p:Path) -> set: return {str(f.relative_to(p)) for f in p.rglob('*')}

# ---------------------------------------------------------------- 1. no file a user passes runs code

class _Evil:
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return (os.system, (f'touch {self.marker}',))

@pytest.mark.parametrize('kind', ['torch.save zip', 'raw pickle'])
def test_crafted_detector_weights_are_refused_and_never_run(tmp_path, capsys, smoke, kind):
    import pickle
    import torch
    marker, w = tmp_path/'pwned', tmp_path/'evil'/'best.pt'
    w.parent.mkdir()
    if kind == 'raw pickle':
        with open(w, 'wb') as f: pickle.dump({'model': _Evil(marker)}, f)
    else: torch.save({'model': _Evil(marker), 'date': '2026'}, w)
    line = main_line(capsys, ['predict-boxes', '--data', smoke, '--out', tmp_path/'b.csv', '--weights', w])
    assert str(w) in line and ('refused' in line or 'raw pickle' in line), line
    assert not marker.exists() and not (tmp_path/'b.csv').exists()

def test_real_ultralytics_weights_pass_the_check(tmp_path):
    "The check refuses nothing ultralytics itself writes: a whole model saved as ultralytics saves it."
    from radiovis_nb.detector import check_weights_file
    from radiovis_nb.env import configure_offline
    configure_offline()
    from ultralytics import YOLO
    YOLO('yolov8n.yaml').save(str(tmp_path/'y.pt'))
    assert check_weights_file(tmp_path/'y.pt') == tmp_path/'y.pt'

def test_a_profile_yaml_cannot_run_code(tmp_path, capsys):
    (tmp_path/'evil.yaml').write_text(f'base: smoke\nradar: !!python/object/apply:os.system ["touch {tmp_path}/pwned"]\n')
    line = main_line(capsys, ['profile', '--profile', tmp_path/'evil.yaml'])
    assert 'evil.yaml' in line and 'not valid YAML' in line and not (tmp_path/'pwned').exists()

# ---------------------------------------------------------------- 2. writes only inside --out

def test_tag_is_a_name_not_a_path(tmp_path, capsys, smoke):
    (tmp_path/'a'/'b').mkdir(parents=True)
    line = main_line(capsys, ['evaluate', '--data', smoke, '--out', tmp_path/'a'/'b'/'ev', '--tag', '../../x'])
    assert '--tag' in line and 'not a path' in line
    assert files_in(tmp_path) == {'a', 'a/b'}

@pytest.mark.parametrize('cmd,target', [('export-yolo', 'folder'), ('show', 'file'), ('train-localiser', 'folder'), ('predict-boxes', 'file')])
def test_out_that_is_a_symlink_is_refused_before_work(tmp_path, capsys, smoke, cmd, target):
    elsewhere = tmp_path/'elsewhere'
    if target == 'folder': elsewhere.mkdir()
    else: elsewhere.write_text('keep')
    link = tmp_path/('o' if target == 'folder' else 'o.png' if cmd == 'show' else 'o.csv')
    link.symlink_to(elsewhere)
    extra = {'train-localiser': ['--labels', 'gt'], 'predict-boxes': ['--weights', tmp_path/'none.pt']}.get(cmd, [])
    line = main_line(capsys, [cmd, '--data', smoke, '--out', link, *extra])
    assert 'symbolic link' in line and str(link) in line
    assert (files_in(elsewhere) == set()) if target == 'folder' else elsewhere.read_text() == 'keep'

@pytest.mark.parametrize('cmd,needle', [('export-yolo', 'is a file'), ('show', 'is a folder'), ('train-localiser', 'is a file'), ('baselines', 'is a file')])
def test_out_of_the_wrong_kind_is_refused(tmp_path, capsys, smoke, cmd, needle):
    out = tmp_path/'o.png'
    if needle == 'is a file': out.write_text('keep')
    else: out.mkdir()
    main_line(capsys, [cmd, '--data', smoke, '--out', out, *(['--labels', 'gt'] if cmd == 'train-localiser' else [])])
    assert files_in(tmp_path) == {'o.png'}

# ---------------------------------------------------------------- 3. every user mistake: one line, exit 2, nothing written

def _labels(t, text): (t/'lab').mkdir(exist_ok=True); (t/'lab'/'labels.csv').write_bytes(text if isinstance(text, bytes) else text.encode()); return t/'lab'

SETUP = {
    'empty labels CSV': lambda t: _labels(t, ''),
    'binary labels CSV': lambda t: _labels(t, bytes(range(256))*3),
    'header-only labels CSV': lambda t: _labels(t, 'index,range_m,azimuth_deg\n'),
    'conflicting duplicate labels': lambda t: _labels(t, 'index,range_m,azimuth_deg\n3,5.0,0\n3,9.0,0\n'),
    'truncated labels.json': lambda t: (_labels(t, 'index,range_m,azimuth_deg\n3,5.0,0\n'), (t/'lab'/'labels.json').write_text('{"method": "x'))[0],
    'list labels.json': lambda t: (_labels(t, 'index,range_m,azimuth_deg\n3,5.0,0\n'), (t/'lab'/'labels.json').write_text('[1, 2]'))[0],
}

def _dataset_with_manifest(t, text):
    (t/'ds').mkdir(); (t/'ds'/'manifest.json').write_text(text); return t/'ds'

def _study(t, data):
    (t/'st').mkdir(); (t/'st'/'study.db').write_bytes(data); return t/'st'

def _sqlite_truncated(t):
    con = sqlite3.connect(t/'full.db'); con.execute('create table a (x)'); con.executemany('insert into a values (?)', [(i,) for i in range(3000)]); con.commit(); con.close()
    return _study(t, (t/'full.db').read_bytes()[:6000])

def _preds(t, rows):
    (t/'run').mkdir(); (t/'run'/'predictions.csv').write_text('index,split,method,seed,pred_x,pred_y,true_x,true_y,error_m\n' + rows); return t/'run'

# (id, argv with {d} the smoke dataset and {t} the test's folder, a setup that returns what {x} stands for, needles of the one line)
MISTAKES = [
    ('profile: a huge integer', ['profile', '--set', 'radar.n_rx=' + '9'*40], None, ['radar.n_rx', 'too large']),
    ('profile: a huge float', ['train-localiser', '--data', '{d}', '--labels', 'gt', '--out', '{t}/o', '--set', 'localiser.lr=' + '9'*400], None, ['localiser.lr']),
    ('runtime.device the machine lacks', ['train-localiser', '--data', '{d}', '--labels', 'gt', '--out', '{t}/o', '--set', 'runtime.device=cuda:7'], None, ['runtime.device', 'cuda:7']),
    ('info with a missing device', ['info', '--set', 'runtime.device=cuda:7'], None, ['cuda:7']),
    *[(f'train-localiser: {k}', ['train-localiser', '--data', '{d}', '--labels', '{x}', '--out', '{t}/o'], k, [n])
      for k, n in [('empty labels CSV', 'empty'), ('binary labels CSV', 'not a readable CSV'), ('header-only labels CSV', 'header only'),
                   ('conflicting duplicate labels', 'conflicting labels'), ('truncated labels.json', 'labels.json: not valid JSON'),
                   ('list labels.json', 'labels.json: not a JSON object')]],
    ('show: a truncated manifest', ['show', '--data', '{x}', '--out', '{t}/x.png'], lambda t: _dataset_with_manifest(t, '{"format": 3, "profile'), ['manifest.json', 'not valid JSON']),
    ('show: a manifest that is a list', ['show', '--data', '{x}', '--out', '{t}/x.png'], lambda t: _dataset_with_manifest(t, '[]'), ['manifest.json', 'not a JSON object']),
    ('show --out x.txt', ['show', '--data', '{d}', '--out', '{t}/x.txt'], None, ['--out', '.png']),
    ('synth --manifest-dir a file', ['synth', '--out', '{t}/data', '--manifest-dir', '{x}'], lambda t: (t/'f.json').write_text('{}') and t/'f.json', ['--manifest-dir', 'is a file']),
    ('predict-boxes: empty weights', ['predict-boxes', '--data', '{d}', '--out', '{t}/b.csv', '--weights', '{x}'], lambda t: (t/'w.pt').write_bytes(b'') or t/'w.pt', ['w.pt', 'empty']),
    ('predict-boxes: weights not a weights file', ['predict-boxes', '--data', '{d}', '--out', '{t}/b.csv', '--weights', '{x}'], lambda t: (t/'w.pt').write_text('hello') and t/'w.pt', ['w.pt', 'not a torch weights file']),
    ('predict-boxes: truncated weights', ['predict-boxes', '--data', '{d}', '--out', '{t}/b.csv', '--weights', '{x}'], 'truncated weights', ['w.pt']),
    ('predict-boxes: a folder as weights', ['predict-boxes', '--data', '{d}', '--out', '{t}/b.csv', '--weights', '{t}'], None, ['no such file']),
    ('baselines: header-only --boxes', ['baselines', '--data', '{d}', '--out', '{t}/o', '--boxes', '{x}'], lambda t: (t/'b.csv').write_text('index,x0,y0,x1,y1\n') and t/'b.csv', ['b.csv', 'no boxes']),
    ('baselines: --boxes on no training frame', ['baselines', '--data', '{d}', '--out', '{t}/o', '--boxes', '{x}'], 'boxes on test frames only', ['no box on any training frame']),
    ('baselines: empty --boxes', ['baselines', '--data', '{d}', '--out', '{t}/o', '--boxes', '{x}'], lambda t: (t/'b.csv').write_text('') or t/'b.csv', ['b.csv', 'empty']),
    ('train-ssl: header-only --boxes', ['train-ssl', '--method', 'mcl', '--mask', 'detector', '--data', '{d}', '--out', '{t}/o', '--boxes', '{x}'],
     lambda t: (t/'b.csv').write_text('index,x0,y0,x1,y1\n') and t/'b.csv', ['b.csv', 'no boxes']),
    ('tune-localiser: a study.db of garbage', ['tune-localiser', '--data', '{d}', '--out', '{x}'], lambda t: _study(t, b'not a database at all' * 10), ['study.db', 'not an SQLite database']),
    ('tune-localiser: a truncated study.db', ['tune-localiser', '--data', '{d}', '--out', '{x}'], _sqlite_truncated, ['study.db', 'corrupt']),
    ('self-label: more labels than frames', ['self-label', '--run', '{t}', '--data', '{d}', '--out', '{t}/o', '--calibrate', 'labelled:100000'], None, ['labelled:100000', 'training frames']),
    ('evaluate: header-only predictions', ['evaluate', '--data', '{d}', '--out', '{t}/o', '--runs', '{x}'], lambda t: _preds(t, ''), ['predictions.csv', 'header only']),
    ('evaluate: NaN predictions', ['evaluate', '--data', '{d}', '--out', '{t}/o', '--runs', '{x}'], lambda t: _preds(t, '1,val,m,0,1,1,1,1,0.5\n2,val,m,0,1,1,1,1,nan\n'), ['line 3', 'error_m']),
    ('evaluate: nothing to evaluate', ['evaluate', '--data', '{d}', '--out', '{t}/o'], None, ['nothing to evaluate']),
    ('evaluate: a label folder of garbage', ['evaluate', '--data', '{d}', '--out', '{t}/o', '--labels', '{x}'], 'binary labels CSV', ['not a readable CSV']),
]

def _truncated_weights(t):
    from radiovis_nb.env import configure_offline
    configure_offline()
    import torch
    torch.save({'model': torch.nn.Conv2d(3, 8, 3), 'date': 'x'}, t/'full.pt')
    b = (t/'full.pt').read_bytes(); (t/'w.pt').write_bytes(b[:len(b) - 200]); (t/'full.pt').unlink()
    return t/'w.pt'

SETUP['truncated weights'] = _truncated_weights

def _test_frame_boxes(t):
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import SynthData, cached_dataset
    i = int(SynthData(cached_dataset(load_profile('smoke'))).split('test')[0])
    (t/'b.csv').write_text(f'index,x0,y0,x1,y1\n{i},1,1,9,9\n'); return t/'b.csv'

SETUP['boxes on test frames only'] = _test_frame_boxes

def test_a_teacher_without_labels_writes_valid_json(tmp_path, smoke):
    "The pipeline's detector may find nothing (smoke): its teacher record is then valid JSON (null, never a bare NaN), and read back as NaN."
    from radiovis_nb.baselines import check_teacher, write_teacher_labels
    from radiovis_nb.data import SynthData
    (tmp_path/'b.csv').write_text('index,x0,y0,x1,y1\n')
    out = write_teacher_labels(SynthData(smoke), tmp_path/'t', tmp_path/'b.csv')
    def no_constants(c): raise ValueError(f'{c} in labels.json')
    rec = json.loads((out/'labels.json').read_text(), parse_constant=no_constants)
    assert rec['n'] == 0 and rec['radar_share'] is None
    assert check_teacher(out, 'RODNet')['radar_share'] != check_teacher(out, 'RODNet')['radar_share']   # NaN

@pytest.mark.parametrize('argv,setup,needles', [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_user_mistakes_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, smoke, argv, setup, needles):
    if 'cuda:7' in ' '.join(argv):
        import torch
        if torch.cuda.device_count() > 7: pytest.skip('this machine has a cuda:7')
    fn = SETUP[setup] if isinstance(setup, str) else setup
    x = fn(tmp_path) if fn else None
    before = files_in(tmp_path)
    line = main_line(capsys, [a.format(d=smoke, t=tmp_path, x=x) for a in argv])
    for n in needles: assert n in line, (n, line)
    assert files_in(tmp_path) == before, files_in(tmp_path) - before         # nothing half-written, no empty --out

@pytest.mark.parametrize('cmd', ['synth', 'import-cruw', 'train-ssl', 'self-label', 'train-localiser', 'tune-localiser', 'evaluate', 'baselines',
                                 'export-yolo', 'train-detector', 'predict-boxes', 'show', 'subspace'])
def test_an_out_that_cannot_be_made_is_one_line_for_every_command(tmp_path, capsys, smoke, cmd):
    (tmp_path/'f').write_text('x')
    out = tmp_path/'f'/('o.png' if cmd in ('show', 'subspace') else 'o.csv' if cmd == 'predict-boxes' else 'o')
    extra = {'train-ssl': ['--method', 'scl'], 'self-label': ['--run', tmp_path], 'train-localiser': ['--labels', 'gt'], 'subspace': ['--run', tmp_path],
             'predict-boxes': ['--weights', tmp_path/'w.pt']}.get(cmd, [])
    argv = [cmd, '--out', out, *([] if cmd == 'synth' else ['--data', smoke]), *extra]
    line = main_line(capsys, argv)
    assert 'is a file, so nothing can be made under it' in line, line

def test_a_diverging_train_ssl_is_one_line_and_leaves_nothing(tmp_path, smoke):
    r = run('train-ssl', '--profile', 'smoke', '--method', 'scl', '--data', str(smoke), '--out', str(tmp_path/'ssl'), '--set', 'ssl.lr=1e12',
            '--set', 'ssl.eval_every=0', '--max-steps', '3', '--no-progress')
    assert r.returncode == 1, r.stderr[-2000:]
    lines = [l for l in r.stderr.strip().splitlines() if l.strip() and not PROGRESS.search(l)]
    assert len(lines) == 1 and 'Traceback' not in r.stderr and 'loss is nan' in lines[0], r.stderr[-2000:]
    assert not (tmp_path/'ssl').exists()

def test_import_cruw_of_a_truncated_npy_leaves_nothing(tmp_path):
    from test_bad_input import SMALL, _rod2021_copy
    _rod2021_copy(tmp_path/'CRUW', {('train', '2019_04_09_BMS1000'): {f: [(10.0, 0.1, 'car')] for f in range(4)}})
    f = sorted((tmp_path/'CRUW'/'sequences'/'train'/'2019_04_09_BMS1000'/'RADAR_RA_H').glob('*.npy'))[0]
    f.write_bytes(f.read_bytes()[:200])
    r = run('import-cruw', '--data', str(tmp_path/'CRUW'), '--out', str(tmp_path/'d'), *[a for o in SMALL for a in ('--set', o)])
    one_line_error(r, f.name)
    assert not (tmp_path/'d').exists(), files_in(tmp_path/'d')

# ---------------------------------------------------------------- Ctrl-C: 130, one line, resumable

def test_interrupt_turned_into_another_error_or_swallowed_is_still_130(monkeypatch, capsys):
    "Dr.Jit turns a KeyboardInterrupt raised inside its callbacks into a RuntimeError; other code may swallow it. Both end in 130."
    def drjit_like(args):
        try: os.kill(os.getpid(), signal.SIGINT); time.sleep(1)
        except KeyboardInterrupt: raise RuntimeError('drjit: a Python callback raised an exception') from None
    def swallowed(args):
        try: os.kill(os.getpid(), signal.SIGINT); time.sleep(1)
        except KeyboardInterrupt: pass
    for fn in (drjit_like, swallowed):
        monkeypatch.setattr(cli, '_prepare', fn)
        assert main_line(capsys, ['info'], 130) == 'radiovis info: interrupted'

def test_ctrl_c_during_synthesis_is_130_and_a_rerun_resumes(tmp_path):
    "A real SIGINT while chunks are being made: exit 130, one line; --max-chunks then counts what is complete; a rerun finishes the dataset."
    tiny = [a for o in ['dataset.n_trainval=18', 'dataset.n_test=0', 'scene.sequence_length=6', 'dataset.chunk_frames=6'] for a in ('--set', o)]
    cmd = [sys.executable, '-c', 'import sys; from radiovis_nb.cli import main; sys.exit(main(sys.argv[1:]))', 'synth', '--profile', 'smoke', *tiny,
           '--out', str(tmp_path/'d'), '--no-progress']
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while not list((tmp_path/'d'/'chunks').glob('c*.zarr')) and time.time() - t0 < 240 and p.poll() is None: time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    if p.returncode == 0: pytest.skip('synthesis finished before the interrupt arrived')
    assert p.returncode == 130, err[-2000:]
    assert [l for l in err.strip().splitlines() if l.strip()] == ['radiovis synth: interrupted'], err[-2000:]
    assert not (tmp_path/'d'/'manifest.json').exists()
    r = run(*cmd[3:-1], '--no-progress', '--max-chunks', '1')
    assert r.returncode == 0, r.stderr[-2000:]
    done = len(list((tmp_path/'d'/'chunks').glob('c*.zarr'))) - 1
    assert f'{done} already complete, 1 to make now' in r.stdout and 'of this shard still to make' in r.stdout and 'other shards' not in r.stdout, r.stdout
    r = run(*cmd[3:-1], '--no-progress')
    assert r.returncode == 0 and (tmp_path/'d'/'manifest.json').is_file(), r.stderr[-2000:]

# ---------------------------------------------------------------- 4. no exit 0 with a NaN or empty result: see MISTAKES (evaluate, baselines, labels, self-label)

def test_synth_max_chunks_in_an_empty_folder_says_what_it_does(tmp_path):
    home = tmp_path/'home'; home.mkdir()                 # item 5 too: synthesis (Dr.Jit's kernel cache) writes nothing under the home folder
    r = run('synth', '--profile', 'smoke', '--set', 'dataset.n_trainval=12', '--set', 'dataset.n_test=0', '--set', 'scene.sequence_length=6',
            '--set', 'dataset.chunk_frames=6', '--out', str(tmp_path/'d'), '--no-progress', '--max-chunks', '1', env={'HOME': str(home)})
    assert r.returncode == 0, r.stderr[-2000:]
    assert '0 already complete, 1 to make now' in r.stdout and 'other shards' not in r.stdout, r.stdout
    assert files_in(home) == set(), files_in(home)

# ---------------------------------------------------------------- 5. no machine paths in outputs, nothing under the home folder

def test_export_yolo_data_yaml_holds_no_machine_path_and_home_is_untouched(tmp_path, smoke):
    home = tmp_path/'home'; home.mkdir()
    env = {'HOME': str(home)}
    if not os.environ.get('RADIOVIS_CACHE'): env['RADIOVIS_CACHE'] = str(Path(smoke).parent.parent)
    r = run('export-yolo', '--data', str(smoke), '--out', str(tmp_path/'y'), env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    y = (tmp_path/'y'/'data.yaml').read_text()
    assert str(tmp_path) not in y and 'path:' not in y, y
    assert files_in(home) == set(), files_in(home)

def test_a_notebook_stage_writes_nothing_under_home(tmp_path):
    "reproduce's notebook stages run in kernels papermill starts (IPython's profile, Jupyter's connection files): with the entry point's environment, none under the home folder."
    import nbformat
    home = tmp_path/'home'; home.mkdir()
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'Python 3'}}, cells=[nbformat.v4.new_code_cell('x = 1', metadata={'tags': ['parameters']}), nbformat.v4.new_code_cell('print(x + 1)')])
    nbformat.write(nb, tmp_path/'a.ipynb')
    code = ("import sys; from pathlib import Path; from radiovis_nb.env import configure_offline; configure_offline(); "
            "from radiovis_nb.pipeline import run_notebook; p = Path(sys.argv[1]); run_notebook(p/'a.ipynb', p/'out'/'a.ipynb', dict(x=41), p)")
    env = {**os.environ, 'HOME': str(home)}
    for v in ('IPYTHONDIR', 'JUPYTER_RUNTIME_DIR', 'DRJIT_CACHE_DIR'): env.pop(v, None)
    r = subprocess.run([sys.executable, '-c', code, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert '42' in (tmp_path/'out'/'a.ipynb').read_text()
    assert files_in(home) == set(), files_in(home)

@pytest.mark.parametrize('how', ['zarr v2 metadata', 'object dtype', 'a pickle codec'])
def test_a_crafted_chunk_is_refused_before_zarr_reads_it(tmp_path, capsys, smoke, how):
    "A dataset folder is a file a user passes too: its chunks' metadata may only name numbers and plain codecs (zarr.json is outside the checksums)."
    import shutil
    from radiovis_nb.synth import chunk_info, tree_sha256
    d = tmp_path/'data'; shutil.copytree(smoke, d)
    man = json.loads((d/'manifest.json').read_text())
    c = d/'chunks'/man['chunks'][0]['name']
    if how == 'zarr v2 metadata': (c/'csi'/'.zarray').write_text(json.dumps({'zarr_format': 2, 'dtype': '|O', 'filters': [{'id': 'pickle'}]}))
    else:
        zj = c/'csi'/'zarr.json'; meta = json.loads(zj.read_text())
        if how == 'object dtype': meta['data_type'] = 'object'
        else: meta['codecs'].append({'name': 'numcodecs.pickle', 'configuration': {}})
        zj.write_text(json.dumps(meta))
    zj = c/'zarr.json'; meta = json.loads(zj.read_text()); meta['attributes']['radiovis_chunk']['sha256'] = tree_sha256(c); zj.write_text(json.dumps(meta))
    man['chunks'][0]['sha256'] = chunk_info(c)['sha256']; (d/'manifest.json').write_text(json.dumps(man))   # checksums made to match, as an attacker would
    line = main_line(capsys, ['show', '--data', d, '--out', tmp_path/'x.png'])
    assert c.name in line and 'refused' in line, line
    assert not (tmp_path/'x.png').exists()
