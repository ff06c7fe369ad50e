"""The package as a user installs it (issue 25): every run-time dependency declared, requirements.txt's pins inside the
wheel's ranges, the wheel's metadata and long description, and the wheel installed without its dependencies over this
environment, run from a folder outside any checkout. A missing module is one line naming the pip package, exit 2.
(The full install into a fresh venv downloads gigabytes: README, "Installing the package", gives its measured time.)"""
import ast
import configparser
import email
import os
import re
import shlex
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

def _settings() -> dict:
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    d = cfg['DEFAULT']
    return {k: [Requirement(r) for r in shlex.split(d.get(f'{k}requirements', ''))] for k in ('', 'tune_', 'dev_')}

def _pins() -> dict:
    pins = {}
    for line in (ROOT/'requirements.txt').read_text().splitlines():
        line = line.split('#')[0].strip()
        if line:
            name, _, version = line.partition('==')
            assert version, f"requirements.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version.strip()
    return pins

def test_pins_lie_in_the_declared_ranges():
    "Every package the wheel declares (run time, extras, dev) is pinned in requirements.txt, inside its range; nothing is pinned undeclared."
    s, pins = _settings(), _pins()
    declared = {canonicalize_name(r.name): r for reqs in s.values() for r in reqs}
    assert {'sionna-rt', 'zarr', 'ultralytics', 'pot', 'scikit-learn', 'torchvision'} <= {canonicalize_name(r.name) for r in s['']}
    assert [canonicalize_name(r.name) for r in s['tune_']] == ['optuna'] and 'jupyterlab' in {r.name for r in s['dev_']}
    for name, r in declared.items():
        assert name in pins, f"settings.ini declares {r} but requirements.txt pins no {name}"
        assert r.specifier.contains(pins[name], prereleases=True), f"requirements.txt pins {name}=={pins[name]}, outside settings.ini's {r}"
    assert not set(pins) - set(declared), f"pinned in requirements.txt but declared nowhere in settings.ini: {sorted(set(pins) - set(declared))}"

def _imported_modules() -> dict:
    "Top-level third-party modules that radiovis_nb imports anywhere (module level or inside functions) -> the files importing them."
    found = {}
    for f in sorted((ROOT/'radiovis_nb').glob('*.py')):
        for n in ast.walk(ast.parse(f.read_text(encoding='utf-8'))):
            names = [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module] if isinstance(n, ast.ImportFrom) and n.level == 0 else []
            for m in names:
                top = m.split('.')[0]
                if top not in sys.stdlib_module_names and top != 'radiovis_nb': found.setdefault(top, set()).add(f.name)
    return found

def test_what_the_package_imports_is_declared():
    "Each module the package imports comes from a declared run-time requirement (or one it brings in); optuna only from the `tune` extra."
    s, dists = _settings(), metadata.packages_distributions()
    run = {canonicalize_name(r.name) for r in s['']}
    brought = {canonicalize_name(Requirement(q).name) for r in run for q in (metadata.requires(r) or []) if 'extra ==' not in q}
    imported = _imported_modules()
    assert {'zarr', 'drjit', 'sionna', 'ot', 'sklearn', 'ultralytics'} <= set(imported)      # the scan sees function-level imports
    for mod, files in imported.items():
        providers = {canonicalize_name(d) for d in dists.get(mod, [])}
        assert providers, f"{mod} (imported by {sorted(files)}) is not installed here"
        if mod == 'optuna': assert providers <= {canonicalize_name(r.name) for r in s['tune_']}; continue
        assert providers & (run | brought), f"{mod} (imported by {sorted(files)}, from {sorted(providers)}) is not a declared run-time requirement"

@pytest.fixture(scope='module')
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('wheel')
    r = subprocess.run([PY, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    (w,) = out.glob('radiovis_nb-*.whl')
    return w

def _wheel_metadata(w:Path):
    with zipfile.ZipFile(w) as z:
        names = z.namelist()
        meta = email.message_from_bytes(z.read(next(n for n in names if n.endswith('.dist-info/METADATA'))))
        eps = z.read(next(n for n in names if n.endswith('.dist-info/entry_points.txt'))).decode()
    return names, meta, eps

def test_wheel_declares_what_settings_declare(wheel):
    names, meta, eps = _wheel_metadata(wheel)
    s = _settings()
    req = [Requirement(r) for r in meta.get_all('Requires-Dist')]
    runtime = {str(r) for r in req if r.marker is None}
    assert runtime == {str(r) for r in s['']}
    for extra, key in (('tune', 'tune_'), ('dev', 'dev_')):
        assert extra in meta.get_all('Provides-Extra')
        got = {r.name for r in req if r.marker is not None and r.marker.evaluate({'extra': extra})}
        assert got == {r.name for r in s[key]}, extra
    assert 'radiovis = radiovis_nb.cli:main' in eps
    assert {f'radiovis_nb/profiles/{p}.yaml' for p in ('paper', 'cpu', 'smoke')} <= set(names)
    assert {f'radiovis_nb/{f.name}' for f in (ROOT/'radiovis_nb').glob('*.py')} <= set(names)

def test_installed_environment_satisfies_the_wheel(wheel):
    "What a resolver checks, against this environment (offline): every Requires-Dist of the wheel, extras included, is installed in range."
    _, meta, _ = _wheel_metadata(wheel)
    for q in meta.get_all('Requires-Dist'):
        r = Requirement(q)
        v = metadata.version(r.name)
        assert r.specifier.contains(v, prereleases=True), f"the wheel asks for {r}; this environment has {r.name} {v}"
    r = subprocess.run([PY, '-m', 'pip', 'install', '--dry-run', '--no-index', '--no-deps', '-q', f'{wheel}[tune]'],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]

_LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)|(?:src|href)="([^"]+)"')

def test_long_description_has_no_relative_links(wheel):
    "A package index shows the long description away from the repository: every link and image must be absolute."
    _, meta, _ = _wheel_metadata(wheel)
    assert meta['Description-Content-Type'].startswith('text/markdown')
    text = meta.get_payload()
    assert 'make reproduce' in text and 'make test' in text and 'pip install' in text
    targets = [a or b for a, b in _LINK.findall(text)]
    assert any(t.endswith('.png') for t in targets), "the results figure is in the description"
    bad = [t for t in targets if not re.match(r'https?://|#', t)]
    assert not bad, f"relative links in the long description: {bad}"
    # nbconvert's markdown renderer: the description renders, and with absolute links only
    import mistune
    html = mistune.html(text)
    assert '<table>' in html and all(re.match(r'https?://|#', u) for u in re.findall(r'(?:src|href)="([^"]+)"', html))

def _no_deps_install(wheel, tmp_path) -> tuple[Path, dict]:
    site = tmp_path/'site'
    r = subprocess.run([PY, '-m', 'pip', 'install', '-q', '--no-deps', '--no-compile', '--target', str(site), str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    env = {**os.environ, 'PYTHONPATH': str(site), 'RADIOVIS_PROFILE': 'smoke'}
    env.pop('RADIOVIS_CACHE', None)
    return site, env

def test_installed_wheel_runs_outside_the_checkout(wheel, tmp_path):
    "The wheel installed (no deps) over this environment, run from a folder outside the checkout: synth (one chunk) and a training command."
    from radiovis_nb.config import load_profile
    from radiovis_nb.data import cached_dataset
    data = cached_dataset(load_profile('smoke'))                      # the smoke dataset, made once for every test
    site, env = _no_deps_install(wheel, tmp_path)
    work = tmp_path/'elsewhere'; work.mkdir()
    exe = [PY, str(site/'bin'/'radiovis')]
    r = subprocess.run([PY, '-c', 'import radiovis_nb, radiovis_nb.env as e; print(radiovis_nb.__file__); print(e.repo_root())'],
                       capture_output=True, text=True, cwd=work, env=env, timeout=120)
    file, root = r.stdout.split()
    assert Path(file).is_relative_to(site) and root == 'None', r.stdout + r.stderr
    r = subprocess.run([*exe, 'synth', '--profile', 'smoke', '--out', 'ds', '--max-chunks', '1', '--no-progress'],
                       capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (work/'ds'/'dataset.json').is_file() and any((work/'ds'/'chunks').iterdir())
    r = subprocess.run([*exe, 'train-ssl', '--profile', 'smoke', '--method', 'mcl', '--data', str(data), '--out', 'ssl'],
                       capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (work/'ssl'/'run.json').is_file(), sorted((work/'ssl').iterdir())

@pytest.mark.parametrize('blocked,command,pip', [
    ('drjit', ['synth', '--out', 'ds'], 'pip install sionna-rt'),
    ('ot', ['evaluate', '--data', 'ds', '--out', 'ev'], 'pip install pot'),
    ('optuna', ['tune-localiser', '--data', 'ds', '--out', 'tune'], 'pip install "radiovis_nb[tune]"')])
def test_missing_module_is_one_line(tmp_path, blocked, command, pip):
    "A module hidden from the interpreter (as if not installed): one line naming the pip package, exit 2, nothing written."
    block = tmp_path/'block'; block.mkdir()
    (block/'sitecustomize.py').write_text(f"import sys; sys.modules[{blocked!r}] = None\n")
    work = tmp_path/'w'; work.mkdir()
    exe = Path(PY).with_name('radiovis')
    r = subprocess.run([str(exe), *command], capture_output=True, text=True, cwd=work, timeout=120,
                       env={**os.environ, 'PYTHONPATH': str(block), 'RADIOVIS_PROFILE': 'smoke'}, stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stderr[-2000:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and blocked in lines[0] and lines[0].endswith(pip), r.stderr
    assert not any(work.iterdir()), sorted(work.iterdir())
