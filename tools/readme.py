#!/usr/bin/env python3
"""README.md from nbs/index.ipynb, nbdev's convention (the index notebook is the README's source), without Quarto.

`make reproduce` rewrites the results block of README.md (between `<!-- results:start -->` and `<!-- results:end -->`,
radiovis_nb.results.update_readme_results). So this first carries README's block into the notebook, then writes README
from the notebook: neither loses the numbers, and a hand edit of README outside the block is overwritten by the
notebook's text. `--check`: change nothing, exit 1 when README.md is not what the notebook makes (tests/test_docs.py).
Where Quarto is installed, `nbdev_readme` makes the same README from the same notebook."""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = '<!-- results:start -->', '<!-- results:end -->'
_BLOCK = re.compile(re.escape(START) + r'.*?' + re.escape(END), re.S)

def _src(cell) -> str: return ''.join(cell['source'])

def render(nb:dict) -> str:
    "Markdown cells as they are; code cells not hidden as fenced Python with their text outputs (nbdev_readme's layout)."
    out = []
    for c in nb['cells']:
        s = _src(c).strip('\n')
        if c['cell_type'] == 'markdown': out.append(s)
        elif c['cell_type'] == 'code' and s and not re.search(r'^#\|\s*hide', s, re.M):
            out.append('```python\n' + '\n'.join(l for l in s.split('\n') if not l.startswith('#|')) + '\n```')
            for o in c.get('outputs', []):
                text = ''.join(o.get('text', '') or o.get('data', {}).get('text/plain', ''))
                if text.strip(): out.append('    ' + text.rstrip('\n').replace('\n', '\n    '))
    return '\n\n'.join(out) + '\n'

def carry_results(nb:dict, readme:str) -> bool:
    "Put README's results block into the notebook's markdown cell that holds the markers; True when the notebook changed."
    m = _BLOCK.search(readme)
    if not m: return False
    for c in nb['cells']:
        s = _src(c)
        if c['cell_type'] == 'markdown' and _BLOCK.search(s):
            new = _BLOCK.sub(lambda _: m.group(0), s)
            if new == s: return False
            lines = new.split('\n'); c['source'] = [l + '\n' for l in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
            return True
    raise SystemExit(f"nbs/index.ipynb has no markdown cell with {START} ... {END}: put the results block back")

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='change nothing; exit 1 when README.md is not what nbs/index.ipynb makes')
    args = ap.parse_args(argv)
    nb_path, readme_path = ROOT/'nbs'/'index.ipynb', ROOT/'README.md'
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    readme = readme_path.read_text(encoding='utf-8') if readme_path.exists() else ''
    changed = carry_results(nb, readme)
    text = render(nb)
    if args.check:
        if text != readme:
            print("README.md is not what nbs/index.ipynb makes: edit the notebook and run `make readme`", file=sys.stderr); return 1
        return 0
    if changed: nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    if text != readme: readme_path.write_text(text, encoding='utf-8')
    print(f"README.md from nbs/index.ipynb ({'changed' if text != readme else 'unchanged'}"
          f"{'; results block carried into the notebook' if changed else ''})")
    return 0

if __name__ == '__main__': sys.exit(main())
