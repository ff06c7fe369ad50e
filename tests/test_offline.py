"No network at run time: importing radiovis and ultralytics, and ultralytics' font check, make zero network attempts."
import os
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent('''
    import sys
    events = []
    def hook(event, args):
        if event.startswith(('socket.', 'urllib.', 'http.')) and event != 'socket.__new__': events.append(f"{event} {str(args)[:120]}")
    sys.addaudithook(hook)
    from radiovis_nb.env import configure_offline
    configure_offline()                     # what every entry point does first (the radiovis command, the detector's functions)
    import ultralytics
    from ultralytics.utils import is_online
    from ultralytics.utils.checks import check_font
    assert check_font('Arial.ttf') is not None
    assert not is_online()
    print('NETWORK-EVENTS', len(events)); print(*events, sep='\\n')
''')

def test_no_network_attempts(tmp_path):
    env = {'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path), 'RADIOVIS_CACHE': str(tmp_path/'cache')}
    r = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout[r.stdout.index('NETWORK-EVENTS'):].splitlines()
    assert out[0] == 'NETWORK-EVENTS 0', '\n'.join(out)

IMPORTS = textwrap.dedent('''
    import importlib, os, pkgutil, sys
    before = dict(os.environ)
    import radiovis_nb
    for m in pkgutil.iter_modules(radiovis_nb.__path__): importlib.import_module(f'radiovis_nb.{m.name}')
    changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
    print('CHANGED', changed, 'ULTRALYTICS', 'ultralytics' in sys.modules)
''')

def test_importing_radiovis_changes_nothing_global(tmp_path):
    "Issue 17: importing every module of the package sets no environment variable, writes no file (no font, no cache) and imports no ultralytics."
    env = {'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path), **{k: os.environ[k] for k in ('PYTHONPATH',) if k in os.environ}}
    r = subprocess.run([sys.executable, '-c', IMPORTS], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'CHANGED [] ULTRALYTICS False' in r.stdout, r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [], list(tmp_path.rglob('*'))[:10]
