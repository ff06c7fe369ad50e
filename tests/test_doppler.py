"Doppler on synthesised data (issue 15): the moving target's range-Doppler peak sits at its radial speed, a parked car's at zero."
import numpy as np
import pytest
from radiovis_nb.config import load_profile
from radiovis_nb.data import SynthData, cached_dataset

@pytest.fixture(scope='module')
def fast():
    # the smoke profile (path solver) with a fast target, so that its radial speed clears the static scene's zero-Doppler main lobe
    p = load_profile('smoke', ['scene.target_speed_mps=[10.0, 14.0]', 'dataset.n_trainval=40', 'dataset.n_test=10'])
    return SynthData(cached_dataset(p))

def _rows(rng, r, half):
    return np.flatnonzero(np.abs(rng - r) <= half)

def test_moving_target_peaks_at_its_radial_speed(fast):
    r = fast.profile.radar
    dv = r.velocity_resolution_mps
    lab = fast.labels
    pick = lab[(lab.n_target_paths > 0) & (lab.radial_speed_mps.abs() >= 3*dv)]
    assert len(pick) >= 5, f"only {len(pick)} frames with a radial speed over {3*dv:.1f} m/s"
    rd, rng, vel = fast.range_doppler(pick.index.to_numpy(), n_doppler=4*r.n_symbols)
    found = []
    for k, (i, row) in enumerate(pick.iterrows()):
        rows = _rows(rng, row.range_m, 3.0)                          # the car's echoes span its length around the centre's range
        cols = np.flatnonzero(np.abs(vel) >= 1.5*dv)                 # outside the static scene's zero-Doppler main lobe
        sub = rd[k][np.ix_(rows, cols)]
        found.append(vel[cols][np.unravel_index(np.argmax(sub), sub.shape)[1]])
    err = np.abs(np.array(found) - pick.radial_speed_mps.to_numpy())
    assert np.median(err) <= 0.5*dv and np.mean(err <= dv) >= 0.9, list(zip(np.round(found, 2), pick.radial_speed_mps.round(2)))

def test_parked_car_peaks_at_zero_doppler(fast):
    r = fast.profile.radar
    lab, obj = fast.labels, fast.objects
    far = obj.merge(lab[['range_m']].rename(columns={'range_m': 'target_range_m'}), left_on='index', right_index=True)
    far = far[(far.range_m - far.target_range_m).abs() > 6].groupby('index').head(1).head(8)   # parked cars well away from the target in range
    assert len(far) >= 4
    rd, rng, vel = fast.range_doppler(far['index'].to_numpy(), n_doppler=4*r.n_symbols)
    for k, row in enumerate(far.itertuples()):
        sub = rd[k][_rows(rng, row.range_m, 1.0)]
        peak_v = vel[np.unravel_index(np.argmax(sub), sub.shape)[1]]
        assert abs(peak_v) <= 0.25*r.velocity_resolution_mps, (row.index, peak_v)
        assert sub.max() > np.median(rd[k]) + 10                      # and it is an echo, not noise (dB)

def test_range_doppler_confirmation_picks_the_moving_target(fast):
    "§5.1's matching by range: where a moving range-Doppler cluster confirms a range-angle one, its speed is the target's radial speed."
    from radiovis_nb.baselines import cfar_predictions
    pred = cfar_predictions(fast, 'val')
    m = pred[(pred.method == 'CFAR (genie-aided)') & pred.confirmed]
    assert len(m) >= 5, f"{len(m)} confirmed frames"
    err = np.abs(m.pred_velocity_mps.to_numpy() - fast.labels.loc[m['index'], 'radial_speed_mps'].to_numpy())
    assert np.mean(err <= fast.profile.radar.velocity_resolution_mps) >= 0.8, np.round(err, 2)
