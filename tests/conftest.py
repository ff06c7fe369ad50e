import os
import subprocess
import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault('RADIOVIS_PROFILE', 'smoke')

@pytest.fixture(scope='session')
def root(): return ROOT

def run_cli(*args, timeout=600, env=None, cwd=ROOT):
    "Run the `radiovis` console script of this environment; returns the CompletedProcess."
    exe = Path(sys.executable).with_name('radiovis')
    e = {**os.environ, **(env or {})}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, env=e, cwd=cwd, stdin=subprocess.DEVNULL)

def pytest_configure(config):
    # Sionna's RCS solver re-decorates a function on every call; Dr.Jit warns after the 1000th time. Harmless.
    config.addinivalue_line('filterwarnings', 'ignore:The AST-transforming decorator:RuntimeWarning')
