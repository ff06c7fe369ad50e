"Properties of the basestation code that hold for any profile: conventions, batching, devices, noise."
from dataclasses import replace
import numpy as np
import pytest
import torch
from radiovis_nb.config import load_profile
from radiovis_nb.radar import add_noise, csi_from_paths, noise_variance, point_targets, range_azimuth_heatmap
from radiovis_nb.seeding import sample_rng

@pytest.fixture(scope='module')
def radar(): return load_profile('smoke').radar

def test_azimuth_convention_right_is_positive(radar):
    "DESIGN: azimuth = atan2(x, y), positive to the right, growing with the column index."
    hm, _, az = range_azimuth_heatmap(csi_from_paths(radar, point_targets(radar, 20., 25.))[..., 0], radar)
    j = np.unravel_index(np.argmax(hm), hm.shape)[1]
    assert j > hm.shape[1]//2 and az[j] > 0
    assert np.all(np.diff(az) > 0)

def test_batch_equals_single(radar):
    rng = sample_rng(0, 0, 'test')
    csis = np.stack([add_noise(csi_from_paths(radar, point_targets(radar, rng.uniform(5, 60), rng.uniform(-40, 40))), radar, rng)[..., 0] for _ in range(5)])
    batch = range_azimuth_heatmap(csis.reshape(5, 1, *csis.shape[1:]), radar)[0]
    assert batch.shape == (5, 1, radar.n_range_bins, radar.n_azimuth_bins)
    for i in range(5): np.testing.assert_allclose(batch[i, 0], range_azimuth_heatmap(csis[i], radar)[0], atol=1e-3)

def test_linear_in_power_for_separate_targets():
    "Power adds for targets far apart; a 10 dB stronger echo is 10 dB higher (on the paper's fine grid)."
    radar = load_profile('paper').radar
    (r1, r2), (a1, a2) = (80, 213), (150, 500)         # on cell centres: no scalloping loss between grid points
    h1 = csi_from_paths(radar, point_targets(radar, radar.bin_to_range(r1), radar.bin_to_azimuth(a1), amplitude=1.))[..., 0]
    h2 = csi_from_paths(radar, point_targets(radar, radar.bin_to_range(r2), radar.bin_to_azimuth(a2), amplitude=10**0.5))[..., 0]
    hm = range_azimuth_heatmap(h1 + h2, radar, db=True)[0]
    p1 = hm[int(round(r1)) - 1:int(round(r1)) + 2, int(round(a1)) - 1:int(round(a1)) + 2].max()
    p2 = hm[int(round(r2)) - 1:int(round(r2)) + 2, int(round(a2)) - 1:int(round(a2)) + 2].max()
    assert abs(p1) < 0.1 and abs((p2 - p1) - 10) < 0.1

@pytest.mark.skipif(not torch.cuda.is_available(), reason='no GPU')
def test_gpu_matches_cpu(radar):
    h = csi_from_paths(radar, point_targets(radar, [12., 30.], [-10., 20.]))[..., 0]
    cpu = range_azimuth_heatmap(h, radar)[0]
    gpu = range_azimuth_heatmap(torch.from_numpy(h).cuda(), radar)[0].cpu().numpy()
    np.testing.assert_allclose(cpu, gpu, atol=1e-2)

def test_snr_mode_sets_the_noise(radar):
    cfg = replace(radar, noise='snr', snr_db=10.)
    h = csi_from_paths(cfg, point_targets(cfg, 20., 0.))
    assert noise_variance(cfg, h) == pytest.approx(np.mean(np.abs(h)**2)/10)
    assert noise_variance(replace(radar, noise='none'), h) == 0

def _half_power_span(x, y):
    y = y/y.max(); i = int(np.argmax(y))
    lo, hi = i - np.argmax(y[i::-1] < 0.5), i + np.argmax(y[i:] < 0.5)
    return np.interp(0.5, [y[hi], y[hi - 1]], [x[hi], x[hi - 1]]) - np.interp(0.5, [y[lo], y[lo + 1]], [x[lo], x[lo + 1]])

@pytest.mark.parametrize('name', ['paper', 'cpu'])
def test_heatmap_resolution_is_app_j(name):
    "Issue 14: the heatmap's -3 dB range cell and beamwidth (measured on the heatmap of a point target at broadside) are App. J's 18.75 cm and 6.75 deg within 5%."
    radar = load_profile(name).radar
    fine = replace(radar, range_min_m=18., range_max_m=22., n_range_bins=400, azimuth_min_deg=-15., azimuth_max_deg=15., n_azimuth_bins=600)
    hm, r, a = range_azimuth_heatmap(csi_from_paths(fine, point_targets(fine, 20., 0.))[..., 0], fine, db=False)
    i, j = np.unravel_index(np.argmax(hm), hm.shape)
    cell, beam = _half_power_span(r, hm[:, j]), _half_power_span(a, hm[i])
    assert abs(cell/0.1875 - 1) <= 0.05, f"{name}: range cell {100*cell:.2f} cm, App. J 18.75 cm"
    assert abs(beam/6.75 - 1) <= 0.05, f"{name}: beamwidth {beam:.2f} deg, App. J 6.75 deg"
