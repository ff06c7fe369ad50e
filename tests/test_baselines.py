"Baselines: camera-to-ground geometry, CFAR, and a YOLO run that makes no network attempt."
import subprocess, sys, textwrap
import numpy as np
import pytest
from radiovis_nb.core import load_profile
from radiovis_nb.data import SynthData, cached_dataset
from radiovis_nb.selflabel import camera_ground_positions
from radiovis_nb.baselines import cfar_predictions, teacher_labels, cfar_2d

@pytest.fixture(scope='module')
def data(): return SynthData(cached_dataset(load_profile('smoke')))

def test_camera_to_ground_within_half_a_metre_on_scenes_of_known_geometry():
    "The teacher's box -> ground mapping at the paper's 640 x 480, on unoccluded frames of known scenes."
    from radiovis_nb.scene import make_layout
    from radiovis_nb.camera import CameraRenderer
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
    g = pred[pred.method == 'CFAR (genie-aided)'].error_m.to_numpy()
    s = pred[pred.method == 'CFAR (strongest cluster)'].error_m.to_numpy()
    assert len(g) == len(data.split('val')) and np.all(g <= s + 1e-9)
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
    from radiovis_nb.core import load_profile
    from radiovis_nb.data import SynthData, cached_dataset
    from radiovis_nb.detector import train_detector, predict_boxes, detection_table
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    import torch
    threads = torch.get_num_threads()
    with tempfile.TemporaryDirectory() as d:
        rec = train_detector(prof, data, Path(d)/'det', device='cpu', epochs=1, log=lambda *a: None)
        bx = predict_boxes(rec['weights'], data, data.split('val'), prof, 'cpu')
        print('TABLE', detection_table(data, bx))
    print('THREADS', threads, torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    print('NETWORK-EVENTS', len(events)); print(*events, sep='\\n')
''')

def test_yolo_trains_and_predicts_without_network():
    r = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout[r.stdout.index('NETWORK-EVENTS'):].splitlines()
    assert out[0] == 'NETWORK-EVENTS 0', '\n'.join(out[:20])
    # ultralytics sets torch to cpu_count - 1 threads (one on two cores) and deterministic mode for the rest of the process:
    # the detector must hand torch back as it found it, or every later stage of `reproduce` runs on one core
    before, after, det = r.stdout[r.stdout.index('THREADS'):].split()[1:4]
    assert (after, det) == (before, 'False'), f"torch threads {before} -> {after}, deterministic mode {det} after the detector"

