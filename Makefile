# The two commands of the README, and their helpers (docs, readme, lab, scaling, gpu-check: extras). Each target does its own set-up (tools/setup.sh).
.PHONY: reproduce test setup bench clean docs docs-site readme lab scaling gpu-check
SHELL := /bin/bash

reproduce: setup  ## the main job: every built stage on the default cpu profile
	.venv/bin/radiovis reproduce --profile cpu --fig-dir paper_figures

test: setup       ## notebooks and package agree, notebooks as tests, pytest (smoke profile)
	tools/test.sh

setup:            ## .venv with pinned packages, the package itself, libllvm19 where needed
	@tools/setup.sh

bench: setup      ## throughput benchmarks
	.venv/bin/radiovis bench heatmap

scaling: setup    ## the scaling study (issue 24): hours on 2 cores, in sittings (a rerun skips finished points); page in paper_figures/scaling/
	.venv/bin/radiovis study scaling $(STUDY_ARGS)

gpu-check: setup  ## GPU readiness: synthesis, SSL pairs/s and a 200-step MCL run at the paper's shapes (CPU fallback: smoke)
	tools/gpu-check.sh

docs: setup       ## README from nbs/index.ipynb, the notebooks re-executed in place (smoke profile, outputs kept), the site in _site/
	.venv/bin/python tools/readme.py
	.venv/bin/python tools/docs.py --execute

docs-site: setup  ## only the site in _site/, from the notebooks as committed (no execution)
	.venv/bin/python tools/docs.py

readme: setup     ## README.md from nbs/index.ipynb (the results block `make reproduce` writes is carried over)
	.venv/bin/python tools/readme.py

lab: setup        ## JupyterLab on nbs/, the notebooks running on the project's kernel "radiovis" (.venv)
	.venv/bin/jupyter lab --ServerApp.root_dir=nbs $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:            ## remove run outputs (not the committed figures)
	rm -rf runs
