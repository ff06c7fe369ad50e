"Profiles: the paper profile states every parameter; the others are diffs against it; every shipped profile validates."
import re
from dataclasses import fields
import pytest
import yaml
from radiovis_nb.config import PROFILES_DIR, SECTIONS, available_profiles, load_profile
from radiovis_nb.params import ConfigError

def test_shipped_profiles():
    assert {'smoke', 'cpu', 'paper'} <= set(available_profiles())
    for name in available_profiles(): load_profile(name)

def test_paper_profile_is_complete_on_its_own():
    raw = yaml.safe_load((PROFILES_DIR/'paper.yaml').read_text())
    assert 'base' not in raw
    for s in SECTIONS:
        assert set(raw[s]) == {f.name for f in fields(SECTIONS[s])}, s

def test_paper_numbers():
    p = load_profile('paper')
    assert (p.radar.n_rx, p.radar.n_range_bins, p.radar.n_azimuth_bins) == (16, 480, 640)
    assert (p.camera.width_px, p.camera.height_px) == (640, 480)
    assert (p.dataset.n_trainval, p.dataset.n_test, p.dataset.val_fraction) == (30000, 10000, 0.2)
    assert (p.backbone.out_channels, p.backbone.stride, p.ssl.proj_dim, p.ssl.box_pad_px, p.ssl.response_pad) == (128, 8, 64, 5, 1)
    assert p.localiser.conv_channels == [8, 16, 8, 32] and p.localiser.kernel_sizes == [4, 3, 2, 4]
    assert p.localiser.strides == [2, 2, 2, 1] and p.localiser.linear == [128, 16, 64, 64] and p.localiser.lr == 1e-3
    assert p.scene.sequence_length == 15 and p.scene.car_jitter_std_m == 0.1 and p.scene.max_parked_cars == 20

@pytest.mark.parametrize('override,msg', [
    ('radar.bandwidth_hz=-8e8', 'must be > 0'), ('radar.n_rx=0', 'must be >= 1'), ('camera.hfov_deg=200', 'must be < 180'),
    ('dataset.radio_mode=magic', 'must be one of'), ('localiser.strides=[2, 2]', 'same length'),
    ('runtime.device=tpu', 'expected auto'), ('radar.range_max_m=500', 'unambiguous range'), ('nosuch.key=1', 'unknown section')])
def test_impossible_values_are_errors(override, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)): load_profile('smoke', [override])

def test_base_loop_is_an_error(tmp_path):
    a, b = tmp_path/'a.yaml', tmp_path/'b.yaml'
    a.write_text('base: b.yaml\n'); b.write_text('base: a.yaml\n')
    with pytest.raises(ConfigError, match='loops'): load_profile(a)

def test_radar_section_is_typed():
    "Issue 17: the radar section is the RadarConfig class itself (no name in a string to dodge an import cycle)."
    import typing
    from radiovis_nb.config import Profile
    from radiovis_nb.radar import RadarConfig
    assert SECTIONS['radar'] is RadarConfig and typing.get_type_hints(Profile)['radar'] is RadarConfig
    assert isinstance(load_profile('smoke').radar, RadarConfig)
