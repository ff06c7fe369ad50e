"No network at run time: importing radiovis and ultralytics, and ultralytics' font check, make zero network attempts."
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent('''
    import sys
    events = []
    def hook(event, args):
        if event.startswith(('socket.', 'urllib.', 'http.')) and event != 'socket.__new__': events.append(f"{event} {str(args)[:120]}")
    sys.addaudithook(hook)
    import radiovis_nb.core
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
