"CRUW import: fixtures in CRUW's layout import to the right place, run through the pipeline, and malformed copies fail by name."
import shutil
import numpy as np
import pytest
from conftest import run_cli
from radiovis_nb.config import load_profile
from radiovis_nb.cruw import import_cruw, write_cruw_fixture
from radiovis_nb.data import SynthData

def truth(n, k0=0):
    rng = np.random.default_rng(k0)
    return [[(float(rng.uniform(8, 24)), float(rng.uniform(-35, 35)), 'car'), (float(rng.uniform(6, 25)), float(rng.uniform(-40, 40)), 'pedestrian')]
            for _ in range(n)]

@pytest.fixture(scope='module')
def fixture(tmp_path_factory):
    root = tmp_path_factory.mktemp('cruw')/'CRUW'
    seqs = {('train', '2019_04_09_PMS1000'): truth(24, 1), ('train', '2019_04_09_PMS2000'): truth(24, 2), ('test', '2019_05_29_PCMS005'): truth(8, 3)}
    write_cruw_fixture(root, seqs)
    return root, seqs

# ssl.steps=0: the budget is ssl.epochs (the cruw profile, based on cpu, budgets 3000 steps: 750 epochs of this fixture, past any timeout on a loaded machine)
SMOKE = ['dataset.chunk_frames=8', 'ssl.steps=0', 'ssl.warmup_steps=0', 'ssl.epochs=1', 'ssl.batch_size=8', 'ssl.queue_size=8', 'localiser.epochs=3', 'dataset.image_height=48',
         'dataset.image_width=64', 'dataset.heatmap_height=64', 'dataset.heatmap_width=64', 'backbone.width_mult=0.125', 'backbone.out_channels=16',
         'ssl.proj_grid=[0,0]', 'camera.width_px=160', 'camera.height_px=120', 'localiser.kernel_sizes=[3,3,2,2]']

def test_import_puts_targets_within_one_bin(fixture, tmp_path):
    root, seqs = fixture
    prof = load_profile('cruw', SMOKE)
    import_cruw(root, tmp_path/'d', prof, manifest_dir=None, log=lambda *a: None)
    data = SynthData(tmp_path/'d')
    assert data.radar_key == 'heatmap' and len(data) == 56
    assert len(data.split('test')) == 8 and len(data.split('val')) > 0
    lab = data.labels.sort_index()
    want = [f[0] for s in seqs.values() for f in s]
    np.testing.assert_allclose(lab.range_m, [w[0] for w in want], atol=1e-3)
    np.testing.assert_allclose(lab.azimuth_deg, [w[1] for w in want], atol=1e-3)
    r = prof.radar
    hm = data.radar(np.arange(len(data)))
    for k, (rt, at, _) in enumerate(want):
        h = hm[k]
        i, j = np.unravel_index(np.argmax(h), h.shape)
        if abs(i - r.range_to_bin(rt)) > 1 or abs(j - r.azimuth_to_bin(at)) > 1.5:   # the strongest may be the pedestrian: look near the car
            ii, jj = int(round(r.range_to_bin(rt))), int(round(r.azimuth_to_bin(at)))
            win = h[max(ii - 3, 0):ii + 4, max(jj - 3, 0):jj + 4]
            di, dj = np.unravel_index(np.argmax(win), win.shape)
            i, j = max(ii - 3, 0) + di, max(jj - 3, 0) + dj
        assert abs(i - r.range_to_bin(rt)) <= 1 and abs(j - r.azimuth_to_bin(at)) <= 1.5, (k, i, j, rt, at)

def test_pipeline_runs_on_imported_data(fixture, tmp_path):
    root, _ = fixture
    sets = [a for o in SMOKE for a in ('--set', o)]
    r = run_cli('import-cruw', '--data', str(root), '--out', str(tmp_path/'d'), *sets)
    assert r.returncode == 0, r.stderr
    for m in ('mcl', 'scl'):
        r = run_cli('train-ssl', '--profile', 'cruw', *sets, '--method', m, '--data', str(tmp_path/'d'), '--out', str(tmp_path/m), '--no-progress')
        assert r.returncode == 0, r.stderr[-2000:]
        r = run_cli('self-label', '--run', str(tmp_path/m), '--data', str(tmp_path/'d'), '--out', str(tmp_path/f'{m}-labels'))
        assert r.returncode == 0, r.stderr[-2000:]
        r = run_cli('train-localiser', '--profile', 'cruw', *sets, '--data', str(tmp_path/'d'), '--labels', str(tmp_path/f'{m}-labels'), '--out', str(tmp_path/f'{m}-loc'))
        assert r.returncode == 0, r.stderr[-2000:]
    r = run_cli('baselines', '--profile', 'cruw', *sets, '--data', str(tmp_path/'d'), '--out', str(tmp_path/'base'))
    assert r.returncode == 0, r.stderr[-2000:]
    r = run_cli('train-localiser', '--profile', 'cruw', *sets, '--data', str(tmp_path/'d'), '--labels', str(tmp_path/'base'/'teacher'),
                '--out', str(tmp_path/'pseudo'), '--method', 'Pseudo-supervised')
    assert r.returncode == 0, r.stderr[-2000:]
    r = run_cli('evaluate', '--data', str(tmp_path/'d'), '--runs', str(tmp_path/'mcl-loc'), str(tmp_path/'scl-loc'), str(tmp_path/'pseudo'),
                '--labels', str(tmp_path/'mcl-labels'), str(tmp_path/'scl-labels'), '--out', str(tmp_path/'figs'))
    assert r.returncode == 0, r.stderr[-2000:]
    tab = (tmp_path/'figs'/'errors.md').read_text()
    assert 'AP_OLS' in tab and 'Pseudo-supervised' in tab
    assert (tmp_path/'figs'/'tab07_label_deviation.md').exists()

def broken_copy(fixture, tmp_path):
    root, _ = fixture
    c = tmp_path/'CRUW'; shutil.copytree(root, c)
    return c

@pytest.mark.parametrize('breakage,message', [
    ('shape', 'expected float32 (128, 128, 2)'), ('dtype', 'expected float32 (128, 128, 2)'), ('missing_radar', 'no radar file for frame 3'),
    ('class', 'line 2: unknown class'), ('numeric', 'line 1: non-numeric field'), ('fields', "line 1: expected 'frame_id range_m azimuth_rad class_name'"),
    ('frame', 'have no image')])
def test_malformed_copies_fail_by_name_and_leave_nothing_half_written(fixture, tmp_path, breakage, message):
    c = broken_copy(fixture, tmp_path)
    seq = c/'sequences'/'train'/'2019_04_09_PMS1000'
    ann = c/'annotations'/'train'/'2019_04_09_PMS1000.txt'
    lines = ann.read_text().splitlines()
    if breakage == 'shape': np.save(seq/'RADAR_RA_H'/'000002_0000.npy', np.zeros((128, 64, 2), np.float32))
    if breakage == 'dtype': np.save(seq/'RADAR_RA_H'/'000002_0000.npy', np.zeros((128, 128, 2), np.float64))
    if breakage == 'missing_radar':
        for f in (seq/'RADAR_RA_H').glob('000003_*.npy'): f.unlink()
    if breakage == 'class': lines[1] = lines[1].rsplit(' ', 1)[0] + ' truck'
    if breakage == 'numeric': lines[0] = '0 ten 0.1 car'
    if breakage == 'fields': lines[0] = '0 10.0 car'
    if breakage == 'frame': lines.append('999 10.0 0.1 car')
    ann.write_text('\n'.join(lines) + '\n')
    out = tmp_path/'d'
    r = run_cli('import-cruw', '--data', str(c), '--out', str(out), *[a for o in SMOKE for a in ('--set', o)])
    assert r.returncode == 2, r.stderr[-2000:]
    assert message in r.stderr, r.stderr
    where = {'shape': '000002_0000.npy', 'dtype': '000002_0000.npy', 'class': '2019_04_09_PMS1000.txt', 'numeric': '2019_04_09_PMS1000.txt',
             'fields': '2019_04_09_PMS1000.txt', 'frame': '2019_04_09_PMS1000.txt', 'missing_radar': 'RADAR_RA_H'}[breakage]
    assert where in r.stderr
    assert not (out/'manifest.json').exists()
    assert not list(out.glob('chunks/.*tmp*'))                     # no temporary folder left behind either
