"Self-labels and the localiser on known answers."
import numpy as np
import pytest
import torch
from torch import nn
from radiovis_nb.core import load_profile
from radiovis_nb.data import SynthData, cached_dataset, HeatmapMaker
from radiovis_nb.selflabel import attention_self_labels, receptive_field
from radiovis_nb.localiser import train_localiser, prediction_table

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

class StubModel(nn.Module):
    "Duck-types SSLModel for attention_self_labels."
    def __init__(self, profile, bin_rc):
        super().__init__()
        self.profile, self.method, self.ssl = profile, 'scl', profile.ssl
        self.f_r, self.f_v = PeakedRadio(bin_rc), FlatVision()
    def masked_images(self, images, boxes): return images

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
    res = train_localiser(prof, data, 'gt', None, device='cpu', log=lambda *a: None)
    val = res['predictions'][res['predictions'].split == 'val']
    tr = data.labels.loc[data.split('train')]
    const = prediction_table(data, val['index'].to_numpy(), np.full(len(val), tr.range_m.mean()), np.full(len(val), tr.azimuth_deg.mean()), 'mean', 0, 'val')
    assert val.error_m.median() < const.error_m.median(), (val.error_m.median(), const.error_m.median())

def test_label_file_errors_name_the_line(tmp_path):
    from radiovis_nb.selflabel import read_labels
    from radiovis_nb.core import ConfigError
    f = tmp_path/'l.csv'
    f.write_text('index,range_m,azimuth_deg\n0,10,1\n1,,2\n')
    with pytest.raises(ConfigError, match='line 3'): read_labels(f)
    f.write_text('index,range\n0,10\n')
    with pytest.raises(ConfigError, match='needs columns'): read_labels(f)
