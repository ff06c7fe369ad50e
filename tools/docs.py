#!/usr/bin/env python3
"""`make docs`: the notebooks re-executed with their outputs, and a static HTML site of them, without Quarto.

    python tools/docs.py --execute            # run every notebook in place on the smoke profile (as nbdev_test runs it:
                                              # cells flagged `slow` skipped), keep the outputs, nbdev_clean; then the site
    python tools/docs.py                      # only the site, from the notebooks as committed (seconds per page)
    python tools/docs.py --only 01_ofdm_radar --out /tmp/site     # some pages (the index, results and API pages always)

The site (`_site/` by default): `index.html` from `nbs/index.ipynb` (the README's source), one page per notebook
(nbconvert's HTML exporter; `#| hide` cells dropped, `#|` directives stripped), `api.html` (every exported function and
class with its signature and docstring, read from the package's source) and `results.html` (paper_figures/REPORT.md,
the `cpu` profile's results beside the paper's, with its figures). Where Quarto exists, `nbdev_docs` still builds nbdev's
own site from the same notebooks."""
import argparse
import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
SMALL_DATA = ("Outputs on this page were computed by <code>make docs</code> on the small <code>smoke</code> profile "
              "(140 frames, 64 x 48 images, one epoch): they show the code working, not the paper's results. "
              "The <code>cpu</code> profile's numbers, beside the paper's, are on the <a href=\"results.html\">results page</a>.")

# ---------------------------------------------------------------- executing the notebooks (their committed outputs)
_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w:-]+)(.*)$')

def directives(source:str) -> dict:
    "The `#| name value` lines at the top of a cell (nbdev's directives)."
    d = {}
    for line in source.split('\n'):
        m = _DIRECTIVE.match(line)
        if not m:
            if line.strip(): break
            continue
        d[m.group(1).rstrip(':')] = m.group(2).strip()
    return d

def _skip_flags() -> set:
    import configparser
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return set(cfg['DEFAULT'].get('tst_flags', '').split()) | {'notest'}

def execute_notebook(path:str) -> tuple:
    "Run one notebook in place as nbdev_test runs it (flagged cells skipped, cwd nbs/), outputs kept; (name, seconds, error or None)."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    path = Path(path); t0 = time.time(); flags = _skip_flags()
    os.environ.update(IN_TEST='1', RADIOVIS_PROFILE=os.environ.get('RADIOVIS_PROFILE', 'smoke'),      # as tools/test.sh runs them
                      RADIOVIS_CACHE=os.environ.get('RADIOVIS_CACHE', str(ROOT/'runs'/'.cache')))
    nb = read_nb(path)
    def skip(cell):
        if cell.cell_type != 'code': return True
        d = directives(cell.source)
        if d.get('eval', '').lower() == 'false' or flags & d.keys():
            cell.outputs = []; return True
    k = CaptureShell(path, mpl_format='png')
    cwd = os.getcwd(); os.chdir(path.parent)
    try: k.run_all(nb, exc_stop=True, preproc=skip)
    except Exception as e: return path.name, time.time() - t0, f"{type(e).__name__}: {e}\n{k.prettytb(fname=path)}"
    finally: os.chdir(cwd)
    for c in nb.cells:                                  # execnb keeps execution counts; nbdev_clean drops them anyway
        if c.cell_type == 'code': c.execution_count = None
    write_nb(nb, path)
    return path.name, time.time() - t0, None

def execute_all(names:list, workers:int) -> None:
    "Each notebook in a process of its own (IPython takes over `__main__`), `workers` at a time; then nbdev_clean."
    def one(name):
        t0 = time.time()
        r = subprocess.run([sys.executable, __file__, '--execute-one', str(NBS/f'{name}.ipynb')], capture_output=True, text=True)
        print(f"[docs] executed {name} in {time.time() - t0:.0f} s" + ('' if r.returncode == 0 else ' FAILED'), flush=True)
        return name, (r.stdout + r.stderr)[-6000:] if r.returncode else None
    with ThreadPoolExecutor(max_workers=workers) as ex: failed = [(n, e) for n, e in ex.map(one, names) if e]
    subprocess.run([str(Path(sys.executable).with_name('nbdev_clean'))], cwd=ROOT, check=True)
    for name, err in failed: print(f"[docs] {name}:\n{err}", file=sys.stderr)
    if failed: raise SystemExit(f"[docs] {len(failed)} notebook(s) failed (their outputs were not written): {', '.join(n for n, _ in failed)}")

# ---------------------------------------------------------------- the site
CSS = """
body { margin: 0; font-family: system-ui, sans-serif; }
#rv-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 14rem; overflow-y: auto; padding: 1rem; background: #f6f6f6;
          border-right: 1px solid #ddd; font-size: 0.9rem; box-sizing: border-box; }
#rv-nav a { display: block; padding: 0.15rem 0; color: #1a4f8b; text-decoration: none; }
#rv-nav a.rv-here { font-weight: bold; }
#rv-main { margin-left: 15rem; padding: 1rem 2rem; max-width: 70rem; }
.rv-note { background: #fff8e1; border: 1px solid #f0d48a; padding: 0.6rem 0.9rem; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
.rv-md table, .rv-api table { border-collapse: collapse; font-size: 0.85rem; }
.rv-md th, .rv-md td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; }
.rv-md img { max-width: 100%; }
.rv-api pre { background: #f4f4f4; padding: 0.5rem; white-space: pre-wrap; }
"""

def _title(nb:dict, default:str) -> str:
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            m = re.match(r'#\s+(.+)', ''.join(c['source']).strip())
            if m: return m.group(1).strip()
            break
    return default

def _nav(pages:list, here:str) -> str:
    here_cls = ' class="rv-here"'
    links = ''.join(f'<a href="{f}"{here_cls if f == here else ""}>{html.escape(t)}</a>' for f, t in pages)
    return f'<nav id="rv-nav"><strong>radiovis</strong>{links}</nav>'

def _page(title:str, body:str, pages:list, here:str, head:str='') -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} - radiovis</title>'
            f'<style>{CSS}</style>{head}</head><body>{_nav(pages, here)}<main id="rv-main">{body}</main></body></html>\n')

def _local_links(text:str) -> str:
    "Links between notebooks and to the report, as the site names them."
    text = re.sub(r'(href="|\]\()(?:\.\./)?paper_figures/REPORT\.md', r'\1results.html', text)
    text = re.sub(r'(href="|\]\()(?:nbs/)?([\w-]+)\.ipynb', r'\1\2.html', text)
    return re.sub(r'(src="|\]\()\.\./paper_figures/', r'\1paper_figures/', text)

_EXPORTER = []

def notebook_html(path:Path, pages:list, note:str|None) -> str:
    "One notebook as a page of the site: nbconvert's HTML (lab template), hidden cells dropped, directives stripped, the site's nav."
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(path, as_version=4)
    keep = []
    for c in nb.cells:
        if c.cell_type == 'code':
            d = directives(c.source)
            if 'hide' in d or 'default_exp' in d: continue
            c.source = '\n'.join(l for l in c.source.split('\n') if not _DIRECTIVE.match(l)).strip('\n')
            if not c.source and not c.get('outputs'): continue
        elif c.cell_type == 'markdown': c.source = _local_links(c.source)
        keep.append(c)
    nb.cells = keep
    if not _EXPORTER: _EXPORTER.append(HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True))
    full, _ = _EXPORTER[0].from_notebook_node(nb)
    head = re.search(r'<head>(.*?)</head>', full, re.S).group(1)
    head = re.sub(r'<title>.*?</title>', '', head, flags=re.S)
    body = re.search(r'<body[^>]*>(.*)</body>', full, re.S).group(1)
    if note: body = f'<div class="rv-note">{note}</div>' + body
    return _page(_title(nb, path.stem), body, pages, path.stem + '.html', head)

def _markdown(text:str) -> str:
    import mistune
    return mistune.create_markdown(escape=False, plugins=['table', 'strikethrough'])(text)

def results_html(out:Path, pages:list) -> str:
    "paper_figures/REPORT.md as a page, its figures copied beside it."
    report = ROOT/'paper_figures'/'REPORT.md'
    figs = out/'paper_figures'; figs.mkdir(parents=True, exist_ok=True)
    for f in (ROOT/'paper_figures').glob('*'):
        if f.suffix.lower() in ('.png', '.svg', '.jpg', '.csv', '.md'): shutil.copy2(f, figs/f.name)
    text = report.read_text(encoding='utf-8') if report.exists() else '# Results\n\nNo `paper_figures/REPORT.md` yet: run `make reproduce`.'
    for t in re.findall(r'\]\(([^)\s#]+/[^)\s#]+)\)', text):   # what it links in a folder of its own (the scaling study's figures, its page)
        f = ROOT/'paper_figures'/t
        if not re.match(r'https?:|/', t) and f.is_file() and f.resolve().is_relative_to((ROOT/'paper_figures').resolve()):
            (figs/t).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, figs/t)
    text = re.sub(r'(!\[[^\]]*\]\()(?!https?:|/|paper_figures/)([^)\s]+)', r'\1paper_figures/\2', text)     # figures sit beside the report
    text = re.sub(r'(<img[^>]*src=")(?!https?:|/|paper_figures/)', r'\1paper_figures/', text)
    note = ('These are the results of <code>make reproduce</code> on the default <code>cpu</code> profile (3,000 + 600 frames, '
            '160 x 120 images, a 2-core CPU), with the paper\'s MaxRay numbers beside ours: a smaller dataset and budget than the paper\'s.')
    return _page('Results', f'<div class="rv-note">{note}</div><div class="rv-md">{_markdown(text)}</div>', pages, 'results.html')

def _api_entries(py:Path) -> list:
    "(name, signature, docstring) of each name in the module's __all__ that is a function or class, read from the source."
    tree = ast.parse(py.read_text(encoding='utf-8'))
    names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                  and any(getattr(t, 'id', None) == '__all__' for t in n.targets)), [])
    out = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name in names:
            if isinstance(n, ast.ClassDef): sig = f"class {n.name}" + (f"({', '.join(ast.unparse(b) for b in n.bases)})" if n.bases else '')
            else: sig = f"def {n.name}({ast.unparse(n.args)})" + (f" -> {ast.unparse(n.returns)}" if n.returns else '')
            out.append((n.name, sig, ast.get_docstring(n) or ''))
    return out

def api_html(pages:list) -> str:
    body = ['<h1>API reference</h1><p>Every exported function and class of <code>radiovis_nb</code>, by module; each module is '
            'written in the notebook named beside it, where its examples run.</p>']
    for py in sorted((ROOT/'radiovis_nb').glob('*.py')):
        if py.name.startswith('_'): continue
        m = re.search(r'File to edit: \.\./nbs/([\w-]+)\.ipynb', py.read_text(encoding='utf-8')[:400])
        src = f' (<a href="{m.group(1)}.html">{m.group(1)}</a>)' if m else ''
        entries = _api_entries(py)
        if not entries: continue
        body.append(f'<h2 id="{py.stem}">radiovis_nb.{py.stem}{src}</h2>')
        for name, sig, doc in entries:
            body.append(f'<h3 id="{py.stem}.{name}">{name}</h3><pre>{html.escape(sig)}</pre><div>{_markdown(doc)}</div>')
    return _page('API reference', f'<div class="rv-api">{"".join(body)}</div>', pages, 'api.html')

def build_site(out:Path, only:list|None=None) -> list:
    "Write the site into `out`; returns the pages written."
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    nbs = sorted(p for p in NBS.glob('[0-9]*.ipynb') if not only or p.stem in only)
    pages = [('index.html', 'Home (README)')] + [(p.stem + '.html', _title(json.loads(p.read_text(encoding='utf-8')), p.stem)) for p in nbs] \
            + [('api.html', 'API reference'), ('results.html', 'Results (cpu profile)')]
    written = []
    def write(name, text): (out/name).write_text(text, encoding='utf-8'); written.append(name)
    write('index.html', notebook_html(NBS/'index.ipynb', pages, None))
    for p in nbs: write(p.stem + '.html', notebook_html(p, pages, SMALL_DATA))
    write('api.html', api_html(pages))
    write('results.html', results_html(out, pages))
    return written

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--execute', action='store_true', help='first re-run the notebooks in place (smoke profile), keeping their outputs')
    ap.add_argument('--only', nargs='*', default=None, help='notebook names (without .ipynb) to execute / publish; default: all')
    ap.add_argument('--out', default=str(ROOT/'_site'), help='the site folder (default: _site/)')
    ap.add_argument('--workers', type=int, default=2, help='notebooks executed at once')
    ap.add_argument('--execute-one', default=None, help=argparse.SUPPRESS)         # a worker: run this notebook in place, nothing else
    args = ap.parse_args(argv)
    if args.execute_one:
        _, _, err = execute_notebook(args.execute_one)
        if err: print(err, file=sys.stderr)
        return 1 if err else 0
    t0 = time.time()
    if args.execute:
        names = args.only or sorted(p.stem for p in NBS.glob('[0-9]*.ipynb'))
        execute_all(names, args.workers)
        print(f"[docs] notebooks executed in {time.time() - t0:.0f} s")
    t1 = time.time()
    written = build_site(Path(args.out), args.only)
    print(f"[docs] site: {len(written)} pages in {args.out} ({time.time() - t1:.0f} s); open {Path(args.out)/'index.html'}")
    return 0

if __name__ == '__main__': sys.exit(main())
