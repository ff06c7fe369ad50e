"Baselines: camera-to-ground geometry, CFAR, and a YOLO run that makes no network attempt."
import subprocess
import sys
import textwrap
import numpy as np
import pytest
from radiovis_nb.baselines import cfar_2d, cfar_predictions, teacher_labels
from radiovis_nb.config import load_profile
from radiovis_nb.data import SynthData, cached_dataset
from radiovis_nb.selflabel import camera_ground_positions

@pytest.fixture(scope='module')
def data(): return SynthData(cached_dataset(load_profile('smoke')))

def test_camera_to_ground_within_half_a_metre_on_scenes_of_known_geometry():
    "The teacher's box -> ground mapping at the paper's 640 x 480, on unoccluded frames of known scenes."
    from radiovis_nb.camera import CameraRenderer
    from radiovis_nb.scene import make_layout
    prof = load_profile('smoke', ['camera.width_px=640', 'camera.height_px=480', 'scene.max_parked_cars=0'])
    r = CameraRenderer(prof)
    errs = []
    for seq in range(4):
        lay = make_layout(prof, seq)
        out = r.render_sequence(lay, frames=[0, lay.n_frames - 1])
        for n, t in enumerate([0, lay.n_frames - 1]):
            xy = camera_ground_positions(prof, out['target_box'][n][None].astype(float))[0]
            errs.append(np.hypot(*(xy - lay.positions[t][:2])))
    assert np.median(errs) <= 0.5, np.sort(errs)

def test_cfar_baselines_and_teacher(data):
    pred = cfar_predictions(data, 'val')
    n = pred.groupby('method').size()
    assert set(n.index) == {'CFAR (genie-aided)', 'CFAR (genie-aided, range-angle only)', 'CFAR (strongest cluster)', 'CFAR (strongest moving cluster)'}
    assert (n == len(data.split('val'))).all() and np.isfinite(pred.error_m).all()
    tl = teacher_labels(data, 'train')
    assert set(tl.source) <= {'radar', 'vision'} and len(tl) > 0
    assert np.all(np.isfinite(tl[['range_m', 'azimuth_deg']].to_numpy()))

def test_cfar_rejects_db_input():
    with pytest.raises(ValueError, match='linear'): cfar_2d(-np.ones((20, 20)))

PROBE = textwrap.dedent('''
    import sys, tempfile
    from pathlib import Path
    events = []
    def hook(event, args):
        if event.startswith(('socket.', 'urllib.', 'http.')) and event not in ('socket.__new__',): events.append(f"{event} {str(args)[:160]}")
    sys.addaudithook(hook)
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import SynthData, cached_dataset
    from radiovis_nb.detector import train_detector, predict_boxes, detection_table
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    import torch
    threads = torch.get_num_threads()
    import os
    with tempfile.TemporaryDirectory() as d:
        os.chdir(d)                                           # a relative --out, as users type it
        rec = train_detector(prof, data, 'det', device='cpu', epochs=1, log=lambda *a: None)
        assert Path(rec['weights']).is_file() and Path(rec['weights']).is_relative_to(Path(d).resolve()), rec['weights']
        bx = predict_boxes(rec['weights'], data, data.split('val'), prof, 'cpu')
        print('TABLE', detection_table(data, bx))
        kept = [Path('det')/f for f in ('run.json', 'train/args.yaml', 'yolo_data/data.yaml')]
        text = ''.join(f.read_text() for f in kept) + str(torch.load('det/train/weights/best.pt', weights_only=False).get('train_args'))
        print('MACHINE-PATHS', str(Path(d).resolve()) in text or str(Path(d)) in text)
        os.chdir('/')
    print('THREADS', threads, torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    print('NETWORK-EVENTS', len(events)); print(*events, sep='\\n')
''')

def test_yolo_trains_and_predicts_without_network(tmp_path):
    import os
    home = tmp_path/'home'; home.mkdir()                     # issue 26: nothing is written under the user's home (with the dataset cache elsewhere)
    env = {**os.environ, 'HOME': str(home)} if os.environ.get('RADIOVIS_CACHE') else None
    r = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'MACHINE-PATHS False' in r.stdout, r.stdout[-2000:]   # issue 26: the detector's folder describes itself
    if env: assert not any(home.rglob('*')), list(home.rglob('*'))[:5]
    out = r.stdout[r.stdout.index('NETWORK-EVENTS'):].splitlines()
    assert out[0] == 'NETWORK-EVENTS 0', '\n'.join(out[:20])
    # ultralytics sets torch to cpu_count - 1 threads (one on two cores) and deterministic mode for the rest of the process:
    # the detector must hand torch back as it found it, or every later stage of `reproduce` runs on one core
    before, after, det = r.stdout[r.stdout.index('THREADS'):].split()[1:4]
    assert (after, det) == (before, 'False'), f"torch threads {before} -> {after}, deterministic mode {det} after the detector"


def test_rodnet_row_only_from_detector_boxes(data, tmp_path):
    "Issue 14: the teacher's record names its boxes, and a student of a ground-truth-box teacher cannot be the RODNet row."
    import json
    from radiovis_nb.baselines import camera_predictions, check_teacher, write_teacher_labels
    from radiovis_nb.data import read_boxes_file
    from radiovis_nb.params import ConfigError
    lab = data.labels[data.labels.box_0 >= 0]
    b = lab[['box_0', 'box_1', 'box_2', 'box_3']].set_axis(['x0', 'y0', 'x1', 'y1'], axis=1).rename_axis('index').reset_index()
    b.to_csv(tmp_path/'det.csv', index=False)
    gt, det = write_teacher_labels(data, tmp_path/'gt', None), write_teacher_labels(data, tmp_path/'det', tmp_path/'det.csv')
    rg, rd = json.loads((gt/'labels.json').read_text()), json.loads((det/'labels.json').read_text())
    assert (rg['method'], rg['boxes_source'], rg['boxes']) == ('RODNet (GT boxes)', 'gt', 'ground truth')
    assert (rd['method'], rd['boxes_source'], rd['boxes']) == ('RODNet', 'detector', 'det.csv') and len(rd['boxes_sha256']) == 64
    with pytest.raises(ConfigError, match='cannot stand as'): check_teacher(gt, 'RODNet')
    with pytest.raises(ConfigError, match='cannot stand as'): check_teacher(det, 'RODNet (GT boxes)')
    assert check_teacher(det, 'RODNet')['boxes_source'] == 'detector'
    cam = camera_predictions(data, read_boxes_file(tmp_path/'det.csv'), 'val')
    assert set(cam.method) == {'Camera only'} and len(cam) == len(data.split('val'))

def test_pipeline_rodnet_row_refuses_a_gt_box_teacher(tmp_path):
    "The reproduction's RODNet student trains only on a detector-box teacher: planted ground-truth-box labels stop it before training."
    from radiovis_nb.baselines import write_teacher_labels
    from radiovis_nb.params import ConfigError
    from radiovis_nb.pipeline import Context, plan
    p = load_profile('smoke')
    ctx = Context(p, tmp_path, tmp_path/'runs'/p.name, tmp_path/'figs', 'cpu', lambda *a, **k: None)
    ctx.run_dir.mkdir(parents=True); ctx.data_dir.symlink_to(cached_dataset(p))
    write_teacher_labels(SynthData(ctx.data_dir), ctx.run_dir/'labels'/'rodnet-teacher', None, p)      # a GT-box teacher where RODNet's should be
    units = {u.name: u for u in plan(ctx)['baselines']}
    with pytest.raises(ConfigError, match='cannot stand as'): units['rodnet-s0'].run(units['rodnet-s0'])
    assert not (ctx.run_dir/'localiser'/'rodnet-s0'/'predictions.csv').exists()

def test_cfar_selection_known_answer(data):
    "Hand-made clusters: the genie takes the one nearest the truth, the strongest the loudest; both domains keep only what a range-Doppler "
    "cluster confirms at the same range, and fall back to every range-angle cluster where nothing is confirmed."
    from radiovis_nb.baselines import _polar
    idx = data.split('val')[:4]
    lab = data.labels.loc[idx]
    near = {int(k): dict(x=t.x + 0.5, y=t.y, power=0.1, size=3) for k, t in zip(idx, lab.itertuples())}
    loud = {int(k): dict(x=t.x - 3.0, y=t.y, power=1.0, size=5) for k, t in zip(idx, lab.itertuples())}
    clusters = {k: [near[k], loud[k]] for k in near}
    clusters[int(idx[3])] = []                                                       # no cluster: the basestation's foot
    rng_loud = {k: float(_polar(data, np.array([c['x']]), np.array([c['y']]))[0][0]) for k, c in loud.items()}
    rd = {k: [dict(range_m=rng_loud[k] + 0.3, velocity_mps=4.0, power=1.0, size=2)] for k in near}
    rd[int(idx[1])] = []                                                             # nothing confirmed: fall back to range-angle
    pred = cfar_predictions(data, 'val', clusters={**clusters, **{int(k): [] for k in data.split('val')[4:]}},
                            rd_clusters={**rd, **{int(k): [] for k in data.split('val')[4:]}})
    e = {m: d.set_index('index').loc[idx[:3]] for m, d in pred.groupby('method')}
    np.testing.assert_allclose(e['CFAR (genie-aided, range-angle only)'].error_m, 0.5, atol=0.02)
    np.testing.assert_allclose(e['CFAR (strongest cluster)'].error_m, 3.0, atol=0.05)
    np.testing.assert_allclose(e['CFAR (genie-aided)'].error_m, [3.0, 0.5, 3.0], atol=0.05)     # frame 1 unconfirmed: the nearer one
    assert e['CFAR (genie-aided)'].confirmed.tolist() == [True, False, True]
    assert e['CFAR (genie-aided)'].pred_velocity_mps.iloc[0] == 4.0
    foot = pred[(pred['index'] == idx[3])]
    assert len(foot) == 4 and (foot.n_clusters == 0).all() and (np.hypot(foot.pred_x, foot.pred_y) < 0.05).all()
