"The scaling study (issue 24) end to end on smoke data: two points of the data axis, the page, and a rerun that skips them."
import argparse
import json
import os
import shutil
from pathlib import Path
import pytest
from radiovis_nb.config import load_profile
from radiovis_nb.data import cached_dataset
from radiovis_nb.env import machine_info, machine_label
from radiovis_nb.params import ConfigError
from radiovis_nb.pipeline import unit_key
from radiovis_nb.scaling import (
    PATIENCE_CHECK,
    READOUT_AGREE_M,
    STUDY_ROWS,
    Point,
    add_study_args,
    chunks_digest,
    point_context,
    point_units,
    read_points,
    run_study,
    ssl_collapse,
    ssl_uniform_loss,
    study_from_args,
    write_page,
)

def test_study_runs_points_writes_page_and_skips_on_rerun(tmp_path):
    prof = load_profile('smoke', ['localiser.epochs=15', 'localiser.patience=3', 'localiser.losses=[mse]'])   # cheap localisers: the study's path, not its numbers
    work, page = tmp_path/'work', tmp_path/'page'
    work.mkdir()
    (work/'data').symlink_to(cached_dataset(load_profile('smoke')))          # the study's dataset: the cached smoke dataset (synthesis is skipped: complete)
    report = tmp_path/'REPORT.md'; report.write_text("# report\n\n## Does the paper's ordering hold?\n")
    L = prof.scene.sequence_length
    pts = [Point(4*L, (48, 64)), Point(8*L, (48, 64))]
    logs = []
    run_study(prof, work, page, pts, 'cpu', report, cost_only=[(96, 128)], log=logs.append)
    recs, preds = read_points(page)
    assert set(recs) == {'n20-48x64', 'n40-48x64'}
    digest = chunks_digest(json.loads((work/'data'/'manifest.json').read_text()))
    for name, pred in preds.items():
        have = set(pred.method)
        assert {'Supervised', 'MCL (projector gradient)', 'MCL (Eq. 2)', 'SCL', 'CFAR (genie-aided)'} <= have, (name, have)
        assert have <= set(STUDY_ROWS)
        assert set(pred.split) == {'val', 'test'}
        assert recs[name]['label_errors_m']['Supervised'] == 0.0 and 'SCL' in recs[name]['label_errors_m']
        assert sum(recs[name]['minutes'].values()) > 0
        assert recs[name]['data'] == digest and {k: recs[name]['machine'][k] for k in ('cpu', 'simd', 'cpus')} == {k: machine_info()[k] for k in ('cpu', 'simd', 'cpus')}     # the dataset and the machine it was measured on
    # a point trains only on its own frames: the localisers' labels are the view's training frames
    sup = json.loads((work/'points'/'n20-48x64'/'localiser'/'supervised-s0'/'run.json').read_text())
    assert sup['n_labels'] == 4*L
    txt = (page/'README.md').read_text()
    assert '## Where the orderings go with scale' in txt and 'fig_scaling_data.png' in txt and (page/'fig_scaling_data.png').stat().st_size > 0
    assert 'Supervised < MCL (projector gradient)' in txt and 'extrapolat' in txt
    assert '**What limits each learnt row.**' in txt and '* **SCL** at 20, 40: labels' in txt       # label error beside the floor, per row
    assert '**Label-bound extrapolation' in txt
    assert '### With resolution' in txt and 'No training-frame count is finished at more than one resolution' in txt
    assert '<!-- scaling:start -->' in report.read_text() and '(#does-the-papers-ordering-hold) above answers' in report.read_text()   # pointing back to the orderings
    assert '**Seeds.**' in txt and 'every finished point has them all' in txt          # smoke points are far below the cpu scale: every seed
    assert f"h), on {machine_label(machine_info())} (a sitting" in txt            # the points' wall time, said with the machine that measured it
    assert "synthesised before the study's first call" in txt                     # the dataset was complete: no synthesis minutes claimed
    assert "**Data check.** CFAR (genie-aided) trains nothing" in txt and "every record's errors come out again, to 0.1 mm (2: n20-48x64" in txt   # made on this dataset
    assert sum('data check: CFAR' in s for s in logs) == 1 and (work/'data_check').is_dir()
    cost = json.loads((page/'cost-96x128.json').read_text())                # a resolution measured for its cost only
    assert set(cost['pairs_per_s']) == {'mcl-flatten', 'mcl-bins', 'scl'} and cost['ssl_hours_per_point'] > 0 and '96 x 128 is not run' in txt
    for name, r in recs.items():                                             # each SSL run's curve by its own row's readout
        assert set(r['ssl_curves']) == {'MCL (projector gradient)', 'MCL (Eq. 2)', 'SCL'}, r['ssl_curves']
        assert r['ssl_curves']['MCL (Eq. 2)']['readout'] == 'eq2' and r['ssl_curves']['MCL (projector gradient)']['readout'] == 'projector'
        assert all(v['curve'][0][0] == 0 and v['curve'][-1][0] == v['steps'] for v in r['ssl_curves'].values())   # the curve itself, step 0 to the last
    assert "**The SSL runs' held-out curves.**" in txt and (page/'fig_scaling_ssl.png').stat().st_size > 0
    for r in recs.values():                                                # each run's training loss and its constant embedding's: the collapse check
        for k, v in r['ssl_curves'].items():
            assert v['loss'] and v['loss'][-1][0] == v['steps'] and v['uniform_loss'] == ssl_uniform_loss(prof, 'scl' if k == 'SCL' else 'mcl')
    collapsed = [(r['n_train'], k) for r in recs.values() for k, v in r['ssl_curves'].items() if ssl_collapse(v)]
    assert ('**Collapsed SSL runs.**' in txt) == bool(collapsed) and ("No SSL run collapsed" in txt) == (not collapsed)
    assert 'MCL (Eq. 2): ' in txt
    for name, r in recs.items():                                             # where each localiser stopped: every row and seed, its kept epoch on its curve
        assert {(s['row'], s['seed']) for s in r['localiser_stops']} >= {('Supervised', sd) for sd in prof.evaluation.seeds} | {('SCL', 0)}
        assert all(1 <= s['epoch'] <= s['epochs_run'] == len(s['curve']) <= s['cap'] for s in r['localiser_stops'])
    assert '**Where the localisers stopped.**' in txt and (page/'fig_scaling_stops.png').stat().st_size > 0
    # the stopping rule checked at n20 by the command: each localiser of seed 0 again with the check's patience and cap, replaying the rule's epochs
    ap = argparse.ArgumentParser(); ap.add_argument('--profile'); ap.add_argument('--device', default='cpu')
    ap.set_defaults(overrides=['localiser.epochs=15', 'localiser.patience=3', 'localiser.losses=[mse]'])
    add_study_args(ap)
    cli = ['--profile', 'smoke', '--work', str(work), '--page', str(page), '--report', str(report), '--frames', f'{4*L},{8*L}', '--resolutions', '48x64',
           '--resolution-frames', '', '--patience-check', 'n20-48x64']
    logs.clear()
    study_from_args(ap.parse_args(cli), logs.append)
    pc = json.loads((page/'patience-n20-48x64.json').read_text())
    assert (pc['patience'], pc['epochs'], pc['rule'], pc['seeds']) == (*PATIENCE_CHECK, dict(patience=3, epochs=15), [0])
    assert {r['row'] for r in pc['rows']} >= {'Supervised', 'MCL (projector gradient)', 'SCL'}
    for r in pc['rows']:
        assert r['replay_max_diff_m'] == 0.0, r                       # the same seed, labels and data: the rule's epochs replayed exactly
        assert r['check']['epochs_run'] >= r['rule']['epochs_run'] and r['held_out_change'] <= 0.0 and r['check']['cap'] == PATIENCE_CHECK[1]
        assert r['check']['epochs_run'] >= r['check']['epoch'] + min(PATIENCE_CHECK[0], PATIENCE_CHECK[1] - r['check']['epoch'])
        assert {'val_p50_rule', 'val_p50_check', 'test_change_lo'} <= set(r)
    assert pc['early'] == [r['row'] for r in pc['rows'] if r['held_out_change'] < -pc['tol']]
    txt = (page/'README.md').read_text()
    assert '**The stopping rule, checked** at n20-48x64 (seed 0)' in txt and 'agree to 0.0e+00 m' in txt and '**The stopping rule, checked**' in report.read_text()
    assert all('training frames at' not in s for s in logs)          # the check runs no point
    logs.clear()
    study_from_args(ap.parse_args(cli), logs.append)                  # a rerun reads the stamped check back
    assert any(s.startswith('[patience] ') and 'already done' in s and ' 0 already' not in s for s in logs), logs
    for bad, msg in ((['--patience-check', 'n999-48x64'], 'not a point of this study'), (['--patience-check', 'n20-48x64', '--check-seeds', '7'], 'trained seeds')):
        with pytest.raises(ConfigError, match=msg): study_from_args(ap.parse_args(cli[:-2] + bad), logs.append)
    # how often an SSL seed collapses at n20, by the command: its MCL (projector gradient) run again at seed 1 beside the point's own (seed 0)
    logs.clear()
    sc_cli = cli[:-2] + ['--ssl-seeds-check', 'n20-48x64', '--check-seeds', '1', '--check-variants', 'mcl-flatten']
    study_from_args(ap.parse_args(sc_cli), logs.append)
    sc = json.loads((page/'ssl-seeds-n20-48x64.json').read_text())
    own = recs['n20-48x64']['ssl_curves']['MCL (projector gradient)']
    assert sc['seeds'] == [0, 1] and [(r['row'], r['seed']) for r in sc['rows']] == [('MCL (projector gradient)', 0), ('MCL (projector gradient)', 1)]
    assert (sc['rows'][0]['run'], sc['rows'][0]['loss_last'], sc['rows'][0]['last_p50_m']) == (own['run'], own['loss'][-1][1], own['last_p50_m'])   # seed 0: the record's run
    assert sc['rows'][1]['run'] == own['run'][:-1] + '1' and (work/'points'/'n20-48x64'/'ssl-seeds'/'ssl'/sc['rows'][1]['run']/'stamp.json').exists()
    assert all(r['collapsed'] == (ssl_collapse(dict(loss=[[r['steps'], r['loss_last']]], uniform_loss=r['uniform_loss'])) is not None) for r in sc['rows'])
    assert '**SSL collapse over seeds** at n20-48x64' in (page/'README.md').read_text() and '**SSL collapse over seeds**' in report.read_text()
    assert "How often a seed collapses is measured at n20-48x64 ('SSL collapse over seeds', below)." in (page/'README.md').read_text()   # said where the collapses are
    logs.clear()
    study_from_args(ap.parse_args(sc_cli), logs.append)                # a rerun reads the stamped runs back
    assert any(s.startswith('[ssl-seeds] ') and 'already done' in s and ' 0 already' not in s for s in logs), logs
    assert sc['rows'][1]['loss'] and sc['rows'][1]['curve'] and (page/'fig_scaling_ssl-seeds-n20-48x64.png').stat().st_size > 0   # the runs' curves, drawn
    assert '](fig_scaling_ssl-seeds-n20-48x64.png)' in (page/'README.md').read_text()
    rel = Path(os.path.relpath(page, report.parent)).as_posix()          # and linked from the report's folder there
    assert f']({rel}/fig_scaling_ssl-seeds-n20-48x64.png)' in report.read_text() and (report.parent/rel/'fig_scaling_ssl-seeds-n20-48x64.png').exists()
    logs.clear()                                                       # the record again from the stamped runs, training nothing: the same record
    study_from_args(ap.parse_args(sc_cli + ['--page-only']), logs.append)
    assert json.loads((page/'ssl-seeds-n20-48x64.json').read_text()) == sc and not any(s.startswith('[ssl-seeds] ') for s in logs), logs
    with pytest.raises(ConfigError, match='not with --page-only'): study_from_args(ap.parse_args(cli + ['--page-only']), logs.append)
    for bad, msg in ((['--check-variants', 'mcl-nothing'], "the study's SSL variants are"), (['--check-seeds', '0'], 'further seeds')):
        with pytest.raises(ConfigError, match=msg): study_from_args(ap.parse_args(sc_cli + bad), logs.append)
    # the readouts' maps of n20's finished SSL runs, by the command: at the data axis's own resolution the coarser grid is the map itself, and
    # each row's median is its run's last held-out curve value (the same model, frames, readout and calibration)
    logs.clear()
    rc_cli = cli[:-2] + ['--readout-check', 'n20-48x64']
    study_from_args(ap.parse_args(rc_cli), logs.append)
    rc = json.loads((page/'readout-n20-48x64.json').read_text())
    curves = recs['n20-48x64']['ssl_curves']
    assert [r['row'] for r in rc['rows']] == ['MCL (projector gradient)', 'MCL (Eq. 2)', 'SCL'] and rc['pool'] == 1, rc['rows']
    for r in rc['rows']:
        assert abs(r['p50_m'] - curves[r['row']]['last_p50_m']) <= READOUT_AGREE_M and r['pooled_p50_m'] == r['p50_m'], (r['p50_m'], curves[r['row']])
    txt = (page/'README.md').read_text()
    assert "**The readouts' maps, checked** at n20-48x64" in txt and "the medians agree with each run's last held-out curve value" in txt, txt
    assert '](fig_scaling_readout-n20-48x64.png)' in txt and (page/'fig_scaling_readout-n20-48x64.png').stat().st_size > 0
    with pytest.raises(ConfigError, match='not with --page-only'): study_from_args(ap.parse_args(rc_cli + ['--page-only']), logs.append)
    with pytest.raises(ConfigError, match='not a point of this study'): study_from_args(ap.parse_args(cli[:-2] + ['--readout-check', 'n999-48x64']), logs.append)
    page_txt, report_txt = (page/'README.md').read_bytes(), report.read_bytes()     # the page from the records alone (a fresh clone): nothing made, the same page
    logs.clear()
    study_from_args(ap.parse_args(cli[:-2] + ['--page-only', '--work', str(tmp_path/'nowhere')]), logs.append)
    assert not (tmp_path/'nowhere').exists() and not any('training frames at' in s or 'data check' in s or 'radiovis synth' in s for s in logs), logs
    assert (page/'README.md').read_bytes() == page_txt and report.read_bytes() == report_txt
    with pytest.raises(ConfigError, match='no records in'): study_from_args(ap.parse_args(cli[:-2] + ['--page-only', '--page', str(tmp_path/'nopage')]), logs.append)
    f = page/'points'/'n20-48x64.json'                                     # a record of an older radiovis (curves keyed by run, one readout)
    old = json.loads(f.read_text())
    f.write_text(json.dumps(dict({k: v for k, v in old.items() if k not in ('localiser_stops', 'ssl_sittings')},    # and without its localisers' stops
                                 ssl_curves={v['run']: dict(steps=v['steps'], flattens_at=0, readout='projector', last_p50_m=9.9)
                                             for v in old['ssl_curves'].values()})))
    p3 = Point(12*L, (48, 64))                                              # a third point, begun by a sitting that stopped: its detector stamped in 10 min
    u3 = point_units(point_context(prof, p3, work/'data', work))
    det = u3['detector'][0]
    det.folder.mkdir(parents=True)
    (det.folder/'stamp.json').write_text(json.dumps(dict(key=unit_key(**det.params), code='f00d' * 16, seconds=600.0)))
    bins = next(u for u in u3['ssl'] if u.name.startswith('mcl-bins'))      # and its Eq. 2 SSL run, its curve that of n20's run
    shutil.copytree(work/'points'/'n20-48x64'/'ssl'/bins.name, bins.folder)
    (bins.folder/'stamp.json').write_text(json.dumps(dict(key=unit_key(**bins.params), code='f00d' * 16, seconds=300.0)))
    def earlier_sitting(folder, seconds):                                   # a resumed run's log: a sitting of `seconds` (to step 2) before the one it has
        lines = (folder/'log.csv').read_text().splitlines(keepends=True)
        (folder/'log.csv').write_text(lines[0] + f"0,1,4.0,1.0,0.0001,{seconds/2}\n0,2,4.0,1.0,0.0001,{seconds}\n" + ''.join(lines[1:]))
    earlier_sitting(bins.folder, 240.0)                                     # its stamp, of older code, counted its last sitting only: 4 min more
    u20 = point_units(point_context(prof, pts[0], work/'data', work))
    scl = next(u for u in u20['ssl'] if u.name.startswith('scl'))            # n20's SCL run as if stamped by older code after a resumed run: 2 min more
    earlier_sitting(scl.folder, 120.0)
    (scl.folder/'stamp.json').write_text(json.dumps({k: v for k, v in json.loads((scl.folder/'stamp.json').read_text()).items() if k != 'sittings'}))
    logs.clear()
    run_study(prof, work, page, pts + [p3], 'cpu', report, cost_only=[(96, 128)], max_points=0, log=logs.append)
    assert sum('done (' in s for s in logs) == 2 and not any('training frames at' in s for s in logs)
    assert not any('data check: CFAR' in s for s in logs)                     # the same dataset and records' codes: the check read back
    assert any(s.startswith('[study] n60-48x64: left for the next sitting (in progress: 2 of ') for s in logs), logs
    txt = (page/'README.md').read_text()
    row = next(ln for ln in txt.splitlines() if ln.startswith('| n60-48x64 | 60 | 48 x 64 | in progress: 2 of '))
    assert row.endswith('| 19 so far (detector 10, ssl 9) | f00df00d |') and 'MCL (Eq. 2): ' in row and 'SCL' not in row, row
    assert '1 point(s) pending, 19 min already in the finished units of the unfinished ones' in txt
    r20 = json.loads(f.read_text())                                         # n20's record: its SSL time over both sittings, as stamped kept beside it
    assert abs(r20['minutes']['ssl'] - old['minutes']['ssl'] - 2.0) < 1e-6 and r20['minutes_stamped'] == old['minutes'] and r20['ssl_sittings'][scl.name] == 2
    assert any('n20-48x64: SSL runs\' sittings read (the time of resumed runs over every sitting)' in s for s in logs), logs
    assert "counts every one of them (each sitting's time from the run's log, to its last logged step): n20-48x64, n60-48x64." in txt
    assert any('n20-48x64: SSL curves read again' in s for s in logs)
    assert json.loads(f.read_text())['ssl_curves'] == old['ssl_curves']     # read again from the run folders: as a new record has them
    assert any('n20-48x64: localiser stops read' in s for s in logs) and json.loads(f.read_text())['localiser_stops'] == old['localiser_stops']
    assert '**Budgets fixed in advance** (the `smoke` profile' in txt and 'diversity' not in txt   # the smoke points are below the detector's cap
    r = json.loads(f.read_text())                                           # a curve that never fell below the untrained backbone's is said so
    r['ssl_curves']['MCL (Eq. 2)']['flattens_at'] = 0
    f.write_text(json.dumps(r))
    assert 'MCL (Eq. 2): flat from step 0, no gain on the untrained backbone' in write_page(page, pts).read_text()
    r = json.loads(f.read_text())                                           # n20 as if recorded by other code: rerun, its first record kept and checked
    f.write_text(json.dumps(dict(r, code='f00d' * 16, code_label='f00dcafe')))
    logs.clear()
    run_study(prof, work, page, pts, 'cpu', report, cost_only=[(96, 128)], redo_other_code=True, log=logs.append)
    assert any('n20-48x64: the first record kept in' in s for s in logs) and (page/'points'/'superseded'/'n20-48x64-f00dcafe.csv.gz').exists()
    assert json.loads(f.read_text())['code'] != 'f00d' * 16 and set(read_points(page)[0]) == {'n20-48x64', 'n40-48x64'}
    txt = (page/'README.md').read_text()
    assert '**Reruns.**' in txt and 'n20-48x64 (first measured by f00dcafe, rerun by ' in txt and '): reproduced, all ' in txt, txt   # the units were kept: same errors
    g = page/'points'/'n20-64x80.json'                                      # a record at a second resolution (n20's, relabelled): its own SSL figure
    g.write_text(json.dumps(dict(json.loads(f.read_text()), point='n20-64x80', hw=[64, 80])))
    g.with_suffix('.csv.gz').write_bytes(f.with_suffix('.csv.gz').read_bytes())
    txt = write_page(page, pts + [Point(4*L, (64, 80))]).read_text()
    assert '](fig_scaling_ssl.png)' in txt and '](fig_scaling_ssl_64x80.png)' in txt and (page/'fig_scaling_ssl_64x80.png').stat().st_size > 0
    assert txt.index('fig_scaling_ssl.png') < txt.index('fig_scaling_ssl_64x80.png')
