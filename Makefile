# The two commands of the README, and their helpers. Each target does its own set-up (tools/setup.sh).
.PHONY: reproduce test setup bench clean scaling gpu-check
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

clean:            ## remove run outputs (not the committed figures)
	rm -rf runs
