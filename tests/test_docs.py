"""Reading and opening (issue 25): nbdev's doc processing passes on the notebooks (imports in their own cells), the README
is made from nbs/index.ipynb, the docs site builds and its pages load in a real browser (headless Chromium: figures
load, the results table is there), and JupyterLab serves the notebooks on the project's kernel."""
import ast
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
NOTEBOOKS = sorted((ROOT/'nbs').glob('*.ipynb'))
CHROMIUM = next((shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(n)), None)

def _code_cells(nb_path):
    for c in json.loads(nb_path.read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] == 'code': yield ''.join(c['source'])

def test_imports_in_their_own_cells():
    "nbdev's doc step runs every cell holding an import (and warns when it holds other code): no such mixed cell, so it runs imports alone."
    mixed = []
    for p in NOTEBOOKS:
        for s in _code_cells(p):
            if re.search(r'^#\|\s*export', s, re.M): continue
            nodes = list(ast.walk(ast.parse(s)))
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes) and any(isinstance(n, (ast.Expr, ast.Assign)) for n in nodes):
                mixed.append(f"{p.name}: {s[:80]!r}")
    assert not mixed, "cells mixing imports with other code (move the imports into a cell of their own):\n" + '\n'.join(mixed)

def test_nbdev_doc_processing_passes():
    "nbdev's own processors (what nbdev_docs runs before Quarto: exported and import cells run, show_doc rendered) on every notebook."
    code = ("import sys, warnings; warnings.simplefilter('ignore')\n"
            "from execnb.nbio import read_nb\nfrom nbdev.processors import FilterDefaults\n"
            "for f in sys.argv[1:]: FilterDefaults()(read_nb(f)); print('ok', f)")
    names = [p.name for p in NOTEBOOKS]                   # about 10 s: with imports in their own cells no example cell runs
    r = subprocess.run([PY, '-c', code, *names], cwd=ROOT/'nbs', capture_output=True, text=True, timeout=600,
                       env={**os.environ, 'RADIOVIS_PROFILE': 'smoke'})
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('ok ') == len(names)

def test_notebooks_are_valid_nbformat():
    "Every notebook validates against its nbformat schema (papermill and nbconvert refuse one that does not: a cell added without an id)."
    import nbformat
    for p in NOTEBOOKS:
        nbformat.validate(nbformat.read(p, as_version=4))

def test_notebooks_name_the_project_kernel():
    "Every notebook runs on the kernel `radiovis`, which make setup registers in .venv, pointing at .venv's python."
    for p in NOTEBOOKS:
        assert json.loads(p.read_text(encoding='utf-8'))['metadata']['kernelspec']['name'] == 'radiovis', p.name
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec('radiovis')
    assert Path(spec.argv[0]).resolve() == Path(PY).resolve()

def test_readme_is_made_from_index():
    r = subprocess.run([PY, str(ROOT/'tools'/'readme.py'), '--check'], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    readme = (ROOT/'README.md').read_text(encoding='utf-8')
    assert 'make reproduce' in readme and 'make test' in readme and '<!-- results:start -->' in readme and 'make lab' in readme

def test_readme_check_fails_on_a_hand_edit(tmp_path):
    "The check can fail: a README edited outside the notebook (a copy of the repository's tools and notebook)."
    (tmp_path/'tools').mkdir(); (tmp_path/'nbs').mkdir()
    shutil.copy(ROOT/'tools'/'readme.py', tmp_path/'tools'); shutil.copy(ROOT/'nbs'/'index.ipynb', tmp_path/'nbs')
    (tmp_path/'README.md').write_text((ROOT/'README.md').read_text(encoding='utf-8').replace('## The two commands', '## Two commands'))
    r = subprocess.run([PY, str(tmp_path/'tools'/'readme.py'), '--check'], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and 'make readme' in r.stderr

@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    "The docs site (tools/docs.py, what make docs runs) with the primer's page beside the index, API and results pages."
    out = tmp_path_factory.mktemp('site')
    r = subprocess.run([PY, str(ROOT/'tools'/'docs.py'), '--only', '01_ofdm_radar', '--out', str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

def test_site_pages(site):
    pages = {p.name for p in site.glob('*.html')}
    assert {'index.html', '01_ofdm_radar.html', 'api.html', 'results.html'} <= pages
    index = (site/'index.html').read_text(encoding='utf-8')
    assert 'make reproduce' in index and 'href="results.html"' in index
    assert 'require_modules' in (site/'api.html').read_text(encoding='utf-8')
    primer = (site/'01_ofdm_radar.html').read_text(encoding='utf-8')
    assert primer.count('src="data:image/png;base64,') >= 1, "the primer's figures (committed outputs: run make docs)"
    assert 'smoke' in primer and 'results.html' in primer                    # the page says its numbers come from a small dataset

PROBE = """<!DOCTYPE html><html><body><pre id="result">pending</pre><iframe id="f" style="width:1200px;height:900px"></iframe>
<script>
const f = document.getElementById('f');
f.onload = async () => {
  const d = f.contentDocument, imgs = [...d.images];
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src').slice(0, 100));
  const tables = [...d.querySelectorAll('table')].map(t => t.innerText.slice(0, 5000));
  document.getElementById('result').textContent = JSON.stringify({title: d.title, images: imgs.length, broken, tables});
};
f.src = new URLSearchParams(location.search).get('page');
</script></body></html>"""

@pytest.fixture(scope='module')
def served(site):
    "The site on a local HTTP server (so the probe page may look into the page it loads)."
    (site/'probe.html').write_text(PROBE)
    (site/'broken.html').write_text('<html><head><title>broken</title></head><body><img src="paper_figures/no-such-figure.png"></body></html>')
    srv = ThreadingHTTPServer(('127.0.0.1', 0), partial(type('Quiet', (SimpleHTTPRequestHandler,), {'log_message': lambda *a: None}),
                                                          directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}'
    srv.shutdown()

def _in_browser(url:str, page:str) -> dict:
    r = subprocess.run([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                        '--virtual-time-budget=30000', '--dump-dom', f'{url}/probe.html?page={page}'],
                       capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="result">(.*?)</pre>', r.stdout, re.S)
    assert m and m.group(1) != 'pending', f"the probe did not finish: {r.stdout[-500:]} {r.stderr[-1000:]}"
    return json.loads(html.unescape(m.group(1)))

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium: tools/setup.sh installs it as root (apt-get install chromium)")

@needs_chromium
def test_browser_sees_a_broken_image(served):
    "The probe itself can fail: a page whose image is missing is reported."
    res = _in_browser(served, 'broken.html')
    assert res['images'] == 1 and res['broken'] == ['paper_figures/no-such-figure.png']

@needs_chromium
def test_primer_page_in_a_browser(served):
    res = _in_browser(served, '01_ofdm_radar.html')
    assert res['title'].startswith('OFDM radar primer')
    assert res['images'] >= 1 and not res['broken'], res

@needs_chromium
def test_results_page_in_a_browser(served):
    res = _in_browser(served, 'results.html')
    assert res['images'] >= 1 and not res['broken'], res
    assert any('Supervised' in t and 'MCL' in t and 'paper' in t for t in res['tables']), res['tables'][:2]

def test_lab_serves_the_notebooks_on_the_project_kernel(tmp_path):
    "make lab's command: JupyterLab starts on nbs/ and offers the kernel `radiovis` (started on a free local port, then stopped)."
    make = subprocess.run(['make', '-n', 'lab'], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert 'jupyter lab --ServerApp.root_dir=nbs' in make
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    env = {**os.environ, 'JUPYTER_RUNTIME_DIR': str(tmp_path/'rt'), 'JUPYTER_CONFIG_DIR': str(tmp_path/'cfg')}
    lab = subprocess.Popen([str(Path(PY).with_name('jupyter')), 'lab', '--ServerApp.root_dir=nbs', '--no-browser', f'--port={port}',
                            '--ServerApp.token=radiovis-test', '--ServerApp.ip=127.0.0.1', *(['--allow-root'] if os.getuid() == 0 else [])],
                           cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def get(path):
            return json.loads(urllib.request.urlopen(f'http://127.0.0.1:{port}{path}?token=radiovis-test', timeout=5).read())
        for _ in range(120):
            try: specs = get('/api/kernelspecs'); break
            except OSError: time.sleep(1)
        else: pytest.fail('JupyterLab did not answer within 120 s')
        assert 'radiovis' in specs['kernelspecs']
        assert '01_ofdm_radar.ipynb' in {c['name'] for c in get('/api/contents')['content']}
        assert urllib.request.urlopen(f'http://127.0.0.1:{port}/lab?token=radiovis-test', timeout=10).status == 200
    finally:
        lab.terminate(); lab.wait(timeout=30)

EXPLANATORY = ['01_ofdm_radar', '02_blur_model', '03_scene', '03a_weather', '04_propagation', '05_camera', '10_backbones',
               '11_contrastive', '13_selflabel', '17_metrics']

def _outputs(name):
    nb = json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text(encoding='utf-8'))
    return [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]

_FIGURE = re.compile(r'plt\.subplots\(|plt\.figure\(|\.imshow\(')

@pytest.mark.parametrize('name', EXPLANATORY)
def test_explanatory_notebooks_carry_their_outputs(name):
    "Committed with their printed numbers, and every cell that draws a figure shows it (make docs regenerates them on the smoke profile)."
    nb = json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text(encoding='utf-8'))
    outs = [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]
    assert any(o['output_type'] == 'stream' or 'text/plain' in o.get('data', {}) for o in outs), f"{name}: no printed output (run make docs)"
    for c in nb['cells']:
        s = ''.join(c['source'])
        if c['cell_type'] != 'code' or re.search(r'^#\|\s*(export|slow|notest|hide)', s, re.M) or not _FIGURE.search(s): continue
        assert any('image/png' in o.get('data', {}) for o in c.get('outputs', [])), f"{name}: a figure cell without its figure: {s[:100]!r}"

def test_no_committed_output_is_an_error():
    bad = [p.name for p in NOTEBOOKS for c in json.loads(p.read_text(encoding='utf-8'))['cells'] for o in c.get('outputs', [])
           if o['output_type'] == 'error']
    assert not bad, f"error outputs committed in {sorted(set(bad))}"
