"Synthesis on the smoke profile: labels, boxes and masks, the target's footprint, shards, resume, corruption."
import json
import shutil
from pathlib import Path
import numpy as np
import pytest
from conftest import run_cli
from radiovis_nb.config import load_profile
from radiovis_nb.data import DataError, RadioVisualDataset, SynthData
from radiovis_nb.params import ConfigError
from radiovis_nb.propagation import target_visibility
from radiovis_nb.synth import chunk_info, chunk_name, synthesise, verify_chunk

QUIET = dict(manifest_dir=None, progress=False, log=lambda *a, **k: None)

@pytest.fixture(scope='session')
def profile(): return load_profile('smoke')

@pytest.fixture(scope='session')
def smoke_dir(profile):
    "The smoke dataset as `synthesise` makes it, shared with every other test (tests here only read it, or copy it)."
    from radiovis_nb.data import cached_dataset
    return cached_dataset(profile)

def chunk_shas(d):
    return {p.name: chunk_info(p)['sha256'] for p in sorted((Path(d)/'chunks').glob('c*.zarr'))}

def test_manifest_counts_and_splits(smoke_dir, profile):
    data = SynthData(smoke_dir)
    ds = profile.dataset
    assert len(data) == ds.n_trainval + ds.n_test
    c = data.manifest['counts']
    assert c['train'] + c['val'] == ds.n_trainval and c['test'] == ds.n_test and c['val'] > 0
    lab = data.labels
    assert len(lab) == len(data) and lab.index.is_unique
    for s in ('train', 'val', 'test'):   # sequences never straddle splits
        seqs = set(lab[lab.split == s].sequence)
        assert not seqs & set(lab[lab.split != s].sequence)
    assert data.manifest['profile']['data_hash']
    assert data.manifest['code_version']['radiovis']

def test_boxes_inside_image_and_masks_match(smoke_dir):
    data = SynthData(smoke_dir)
    lab = data.labels
    idx = lab.index.to_numpy()
    masks = data.get('target_mask', idx)
    H, W = masks.shape[1:]
    seen = 0
    for i, m in zip(idx, masks):
        row = lab.loc[i]
        b = [int(row[f'box_{k}']) for k in range(4)]
        assert row.visible_px == m.sum()
        if m.sum() == 0: assert b == [-1, -1, -1, -1]; continue
        seen += 1
        assert 0 <= b[0] < b[2] <= W and 0 <= b[1] < b[3] <= H
        rows, cols = np.nonzero(m)
        assert (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1) == tuple(b)   # the box is the mask's extent
    assert seen >= 0.9*len(idx)

def test_torch_dataset_items(smoke_dir, profile):
    ds = RadioVisualDataset(smoke_dir, 'train', profile)
    item = ds[0]
    d = profile.dataset
    assert tuple(item['heatmap'].shape) == (1, d.heatmap_height, d.heatmap_width)
    assert tuple(item['image'].shape) == (3, d.image_height, d.image_width)
    assert tuple(item['mask'].shape) == (1, d.image_height, d.image_width)
    assert np.isfinite(item['heatmap'].numpy()).all() and 0 <= float(item['image'].min()) and float(item['image'].max()) <= 1
    assert abs(float(item['heatmap'].mean())) < 3

@pytest.mark.parametrize('mode,sequences', [('rcs', range(5)), ('pathsolver', range(2))])
def test_target_peak_inside_footprint(profile, mode, sequences):
    v = target_visibility(profile, sequences, mode)
    assert v['target_peak_in_footprint'] >= 0.95, v

def test_shard_layouts_are_byte_identical(smoke_dir, profile, tmp_path):
    out = tmp_path/'sharded'
    assert synthesise(profile, out, shard=(1, 2), **QUIET) is None        # shard 1 of 2 alone: no manifest yet
    assert not (out/'manifest.json').exists()
    for c in range(0, len(chunk_shas(smoke_dir)), 2):                     # shard 0's chunks as another job made them (the one-job run's)
        shutil.copytree(smoke_dir/'chunks'/chunk_name(c), out/'chunks'/chunk_name(c))
    assert synthesise(profile, out, shard=(0, 2), **QUIET) is not None    # the last shard verifies them and writes the manifest
    assert chunk_shas(out) == chunk_shas(smoke_dir)

def test_killed_run_resumes_without_duplicates_or_gaps(smoke_dir, profile, tmp_path):
    out = tmp_path/'resumed'
    r = run_cli('synth', '--profile', 'smoke', '--out', str(out), '--max-chunks', '2', '--no-progress')
    assert r.returncode == 0, r.stderr
    assert not (out/'manifest.json').exists() and len(list((out/'chunks').glob('c*.zarr'))) == 2
    # what a kill leaves behind: a temporary chunk of a dead process, a chunk folder without its completion record
    (out/'chunks'/'.c00003.zarr.tmp-999999').mkdir()
    shutil.copytree(out/'chunks'/chunk_name(0), out/'chunks'/chunk_name(2))
    meta = out/'chunks'/chunk_name(2)/'zarr.json'
    m = json.loads(meta.read_text()); m['attributes'].pop('radiovis_chunk'); meta.write_text(json.dumps(m))
    assert 'incomplete' in verify_chunk(out/'chunks'/chunk_name(2))
    for c in range(4, len(chunk_shas(smoke_dir))): shutil.copytree(smoke_dir/'chunks'/chunk_name(c), out/'chunks'/chunk_name(c))   # made earlier: kept
    with pytest.raises(DataError, match='no manifest.json'): SynthData(out)
    r = run_cli('synth', '--profile', 'smoke', '--out', str(out), '--no-progress')
    assert r.returncode == 0, r.stderr
    assert chunk_shas(out) == chunk_shas(smoke_dir)
    assert not list((out/'chunks').glob('.*tmp*'))
    assert len(SynthData(out)) == len(SynthData(smoke_dir))

def test_corrupt_chunk_is_named(smoke_dir, tmp_path):
    out = tmp_path/'corrupt'
    shutil.copytree(smoke_dir, out)
    f = next(p for p in (out/'chunks'/chunk_name(1)/'csi').rglob('*') if p.is_file() and p.name != 'zarr.json')
    b = bytearray(f.read_bytes()); b[len(b)//2] ^= 0xFF; f.write_bytes(bytes(b))
    data = SynthData(out)
    first = data.manifest['chunks'][1]['first']
    with pytest.raises(DataError, match=r'c00001\.zarr.*checksum'): data.get('csi', [first])
    r = run_cli('show', '--data', str(out), '--index', str(first), '--out', str(tmp_path/'x.png'))
    assert r.returncode == 2 and 'c00001.zarr' in r.stderr

def test_other_configuration_is_refused(smoke_dir):
    with pytest.raises(ConfigError, match='another configuration'):
        synthesise(load_profile('smoke', ['dataset.seed=7']), smoke_dir, **QUIET)

def test_show_writes_figure(smoke_dir, tmp_path):
    r = run_cli('show', '--data', str(smoke_dir), '--index', '0', '20', '--out', str(tmp_path/'fig.png'))
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'fig.png').stat().st_size > 20_000

def test_reproduce_stage_writes_figures(smoke_dir, profile, tmp_path):
    from radiovis_nb.data import reproduce_synthesis
    d = tmp_path/'runs'/'smoke'/f'{profile.scene.scenario}-smoke'
    d.parent.mkdir(parents=True)
    shutil.copytree(smoke_dir, d)
    figs = reproduce_synthesis(profile, tmp_path, tmp_path/'figs', log=lambda *a: None)
    for f in figs: assert (tmp_path/'figs'/f).stat().st_size > 10_000

@pytest.mark.parametrize('scenario', ['suburban', 'street_canyon'])
def test_other_scenarios_target_peak_inside_footprint(scenario):
    v = target_visibility(load_profile('smoke', [f'scene.scenario={scenario}']), range(4), 'rcs')
    assert v['target_peak_in_footprint'] >= 0.95, v

@pytest.fixture(scope='session')
def mixed_data():
    from radiovis_nb.data import cached_dataset
    p = load_profile('smoke', ['scene.scenario=mixed', 'weather.lidar=true', 'weather.condition_weights=[1, 1, 1, 1, 1]',
                               'weather.lighting_weights=[1, 1, 1]', 'dataset.n_trainval=45', 'dataset.n_test=0'])
    return SynthData(cached_dataset(p))

def test_mixed_scenarios_weather_and_lidar(mixed_data):
    lab = mixed_data.labels
    assert set(lab.scenario) == {0, 1, 2}
    assert len(set(lab.weather)) >= 3
    # issue 26: weather and light are drawn once per sequence; drawn per frame, a clear-day frame's motion input (the detector's) had a
    # background of fog / night frames brighter than the moving target, and the detector scored 0 on the showcase's clear frames
    assert lab.groupby('sequence').weather.nunique().max() == 1 and lab.groupby('sequence').lighting.nunique().max() == 1
    from radiovis_nb.data import BOX_COLUMNS
    from radiovis_nb.detector import detector_inputs
    sel = lab[(lab.weather == 0) & (lab.visible_px > 0)]
    g = detector_inputs(mixed_data, sel.index.to_numpy(), 'motion')[..., 1].astype(float)
    inside = np.zeros(g.shape, bool)
    for n, b in enumerate(sel[BOX_COLUMNS].to_numpy(float).round().astype(int)): inside[n, max(b[1], 0):b[3], max(b[0], 0):b[2]] = True
    assert g[inside].mean() > 3*g[~inside].mean(), (g[inside].mean(), g[~inside].mean())   # the target stands out of a steady background
    n_target = 0
    for k in lab.index:
        pc = mixed_data.lidar(k)
        assert len(pc['xyz']) > 0
        t = pc['target']
        assert set(pc['cls'][t]) <= {'car'}
        if t.any():                                            # the target's points lie on the target
            row = lab.loc[k]
            d = np.hypot(pc['xyz'][t, 0] - row.x, pc['xyz'][t, 1] - row.y)
            assert d.max() <= np.hypot(row.length_m, row.width_m)/2 + 0.05
            n_target += 1
        g = pc['cls'] == 'ground'
        assert np.abs(pc['xyz'][g, 2]).max() < 0.2            # ground and sidewalks
    assert n_target >= 0.8*len(lab)
