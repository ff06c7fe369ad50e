"Self-labels and the localiser on known answers."
import numpy as np
import pytest
import torch
from torch import nn
from radiovis_nb.config import load_profile
from radiovis_nb.data import HeatmapMaker, SynthData, cached_dataset
from radiovis_nb.localiser import train_localiser
from radiovis_nb.metrics import prediction_table
from radiovis_nb.selflabel import attention_self_labels, receptive_field

class PeakedRadio(nn.Module):
    "A 'backbone' of stride 8 (one 8x8 average pooling) whose features turn from e1 to e0 in a Gaussian bump centred on a chosen bin."
    def __init__(self, bin_rc):
        super().__init__(); self.pool = nn.AvgPool2d(8, 8); self.bin_rc = bin_rc
    def forward(self, x):
        h, w = x.shape[2]//8, x.shape[3]//8
        r, c = torch.meshgrid(torch.arange(h).float(), torch.arange(w).float(), indexing='ij')
        g = torch.exp(-((r - self.bin_rc[0])**2 + (c - self.bin_rc[1])**2)/2.0)
        f = torch.zeros(x.shape[0], 4, h, w)
        f[:, 0], f[:, 1] = g, 1 - g
        return f

class FlatVision(nn.Module):
    def forward(self, x): return torch.ones(x.shape[0], 4, x.shape[2]//8, x.shape[3]//8)*torch.tensor([1., 0, 0, 0])[:, None, None]

def StubModel(profile, bin_rc):
    "An SCL model whose backbones are the stubs above: its Eq. 2 attention peaks at `bin_rc`."
    from radiovis_nb.contrastive import SSLModel
    m = SSLModel(profile, 'scl').eval()
    m.f_r, m.f_v = PeakedRadio(bin_rc), FlatVision()
    return m

@pytest.mark.parametrize('bin_rc', [(2, 3), (3, 4), (3, 2)])
def test_attention_peak_at_a_known_bin_gives_that_bins_coordinates(bin_rc):
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    model = StubModel(prof, bin_rc)
    first, step = receptive_field(model.f_r)
    assert (first, step) == (3.5, 8.0)
    raw = attention_self_labels(model, data, 'val')
    H, W = prof.dataset.heatmap_height, prof.dataset.heatmap_width
    radar = HeatmapMaker(data, prof).radar
    # within half a feature bin: an even-sized kernel centres half a bin off (the attention map's convention)
    half_r = 0.5*step*(radar.range_max_m - radar.range_min_m)/H
    half_a = 0.5*step*(radar.azimuth_max_deg - radar.azimuth_min_deg)/W
    assert np.abs(raw.range_m - radar.bin_to_range(first + step*bin_rc[0], H)).max() <= half_r + 1e-6
    assert np.abs(raw.azimuth_deg - radar.bin_to_azimuth(first + step*bin_rc[1], W)).max() <= half_a + 1e-6

def test_supervised_localiser_beats_the_mean_predictor():
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    res = train_localiser(load_profile('smoke', ['localiser.patience=0']), data, 'gt', None, device='cpu', log=lambda *a: None)   # all 100 epochs: smoke's 4 held-out sequences cannot choose
    val = res['predictions'][res['predictions'].split == 'val']
    tr = data.labels.loc[data.split('train')]
    const = prediction_table(data, val['index'].to_numpy(), np.full(len(val), tr.range_m.mean()), np.full(len(val), tr.azimuth_deg.mean()), 'mean', 0, 'val')
    assert val.error_m.median() < const.error_m.median(), (val.error_m.median(), const.error_m.median())

def test_label_file_errors_name_the_line(tmp_path):
    from radiovis_nb.data import read_labels
    from radiovis_nb.params import ConfigError
    f = tmp_path/'l.csv'
    f.write_text('index,range_m,azimuth_deg\n0,10,1\n1,,2\n')
    with pytest.raises(ConfigError, match='line 3'): read_labels(f)
    f.write_text('index,range\n0,10\n')
    with pytest.raises(ConfigError, match='needs columns'): read_labels(f)


# --- the two readouts of CL / MCL on known answers, and calibration on a known offset ---------------------------------

class _Const(nn.Module):
    "A stride-8 'backbone' returning fixed features [C, h, w] for every input (one 8x8 average pooling, for the receptive field)."
    def __init__(self, f):
        super().__init__(); self.pool = nn.AvgPool2d(8, 8); self.f = f
    def forward(self, x): return self.f[None].expand(x.shape[0], -1, -1, -1).clone()

class _IdentityBins(nn.Module):
    "A bins head whose per-bin embedding is the feature vector itself."
    def embed(self, f): return f
    def forward(self, f, weights=None): return torch.nn.functional.normalize(f.mean((2, 3)), dim=-1)

def _one_bin_features(C, h, w, bin_rc, seed=0, bump:bool=False):
    "Radar features: small positive noise everywhere and a distinct vector u at one bin (or, `bump`, u fading over its neighbours); the vector u."
    g = torch.Generator().manual_seed(seed)
    u = torch.zeros(C); u[0] = 1.0
    f_r = 0.05*torch.rand(C, h, w, generator=g); f_r[0] = 0.0
    if bump:
        r, c = torch.meshgrid(torch.arange(h).float(), torch.arange(w).float(), indexing='ij')
        f_r[0] = torch.exp(-((r - bin_rc[0])**2 + (c - bin_rc[1])**2)/2.0)
    else: f_r[:, bin_rc[0], bin_rc[1]] = u
    return f_r, u

def _bin_coordinates(data, prof, first, step, bin_rc):
    radar = HeatmapMaker(data, prof).radar
    H, W = prof.dataset.heatmap_height, prof.dataset.heatmap_width
    return radar, H, W, radar.bin_to_range(first + step*bin_rc[0], H), radar.bin_to_azimuth(first + step*bin_rc[1], W)

@pytest.mark.parametrize('bin_rc', [(2, 3), (3, 4)])
def test_eq2_readout_of_a_bins_head_finds_the_matching_radio_bin(bin_rc):
    from radiovis_nb.contrastive import SSLModel
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    h, w = prof.dataset.heatmap_height//8, prof.dataset.heatmap_width//8
    f_r, u = _one_bin_features(4, h, w, bin_rc, bump=True)           # the echo spreads over neighbouring bins, as a radar's does
    model = SSLModel(prof, 'mcl', projector='bins').eval()
    model.f_r, model.f_v = _Const(f_r), _Const(u[:, None, None].expand(4, h, w).clone())
    model.g_r, model.g_v = _IdentityBins(), _IdentityBins()
    assert model.readout == 'eq2'
    raw = attention_self_labels(model, data, 'val')
    first, step = receptive_field(model.f_r)
    radar, H, W, r0, a0 = _bin_coordinates(data, prof, first, step, bin_rc)
    # the target kernel spans several bins: the window's centre may sit half a bin off the matching bin
    assert np.abs(raw.range_m - r0).max() <= 0.5*step*(radar.range_max_m - radar.range_min_m)/H + 1e-3
    assert np.abs(raw.azimuth_deg - a0).max() <= 0.5*step*(radar.azimuth_max_deg - radar.azimuth_min_deg)/W + 1e-3

@pytest.mark.parametrize('bin_rc', [(2, 3), (4, 6)])
def test_projector_gradient_readout_of_a_flatten_head_finds_the_matching_radio_bin(bin_rc):
    from radiovis_nb.backbones import Projector
    from radiovis_nb.contrastive import SSLModel
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    C, h, w = 4, prof.dataset.heatmap_height//8, prof.dataset.heatmap_width//8
    f_r, u = _one_bin_features(C, h, w, bin_rc)
    f_v = torch.zeros(C, h, w); f_v[:, bin_rc[0], bin_rc[1]] = u            # the masked target's features: u at the matching place, nothing elsewhere
    model = SSLModel(prof, 'mcl', projector='flatten').eval()
    model.f_r, model.f_v = _Const(f_r), _Const(f_v)
    n = C*h*w
    for attr in ('g_r', 'g_v'):                                              # flatten heads that pass the grid through unchanged
        g = Projector(C, n, n, (0, 0), (h, w))
        with torch.no_grad():
            for lin in (g.mlp[0], g.mlp[2]): lin.weight.copy_(torch.eye(n)); lin.bias.zero_()
        setattr(model, attr, g)
    assert model.readout == 'projector'
    raw = attention_self_labels(model, data, 'val')
    first, step = receptive_field(model.f_r)
    radar, H, W, r0, a0 = _bin_coordinates(data, prof, first, step, bin_rc)
    # the peak is that bin; the sub-bin parabola may move it by the noise of its neighbours (here under 0.1 bin)
    np.testing.assert_allclose(raw.feature_row, bin_rc[0], atol=0.1); np.testing.assert_allclose(raw.feature_col, bin_rc[1], atol=0.1)
    np.testing.assert_allclose(raw.range_m, r0, atol=0.1*step*(radar.range_max_m - radar.range_min_m)/H)
    np.testing.assert_allclose(raw.azimuth_deg, a0, atol=0.1*step*(radar.azimuth_max_deg - radar.azimuth_min_deg)/W)

@pytest.mark.parametrize('how', ['camera', 'labelled'])
def test_calibrate_recovers_a_known_offset(how):
    from radiovis_nb.selflabel import calibrate, camera_polar
    prof = load_profile('smoke')
    data = SynthData(cached_dataset(prof))
    lab = data.labels.loc[data.split('train')]
    lab = lab[lab.box_0 >= 0]
    if how == 'camera': ref_r, ref_a = camera_polar(data, lab[['box_0', 'box_1', 'box_2', 'box_3']].to_numpy(float))
    else: ref_r, ref_a = lab.range_m.to_numpy(), lab.azimuth_deg.to_numpy()
    import pandas as pd
    raw = pd.DataFrame({'index': lab.index.to_numpy(), 'range_m': ref_r + 1.7, 'azimuth_deg': ref_a - 2.3})
    cal = calibrate(raw, data, 'gt', None, how, labelled=len(raw))
    assert abs(cal['range_offset_m'] - 1.7) < 1e-9 and abs(cal['azimuth_offset_deg'] + 2.3) < 1e-9, cal


def test_localiser_on_one_labelled_sequence_trains_every_epoch_and_says_so(tmp_path):
    "Labels from a single training sequence leave nothing to hold out: no early stopping, every epoch, and run.json says why."
    import json
    prof = load_profile('smoke', ['localiser.epochs=2'])
    data = SynthData(cached_dataset(prof))
    tr = data.labels.loc[data.split('train')]
    one = tr[tr.sequence == tr.sequence.iloc[0]][['index', 'range_m', 'azimuth_deg']]
    one.to_csv(tmp_path/'labels.csv', index=False)
    res = train_localiser(prof, data, tmp_path/'labels.csv', tmp_path/'run', device='cpu', log=lambda *a: None)
    es = json.loads((tmp_path/'run'/'run.json').read_text())['early_stopping']
    assert es['held_out_frames'] == 0 and 'one training sequence' in es['rule'] and res['epochs'] == 2
