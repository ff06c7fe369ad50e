# The two commands of the README, and their helpers. Each target does its own set-up (tools/setup.sh).
.PHONY: reproduce test setup bench clean
SHELL := /bin/bash

reproduce: setup  ## the main job: every built stage on the default cpu profile
	.venv/bin/radiovis reproduce --profile cpu --fig-dir paper_figures

test: setup       ## notebooks and package agree, notebooks as tests, pytest (smoke profile)
	tools/test.sh

setup:            ## .venv with pinned packages, the package itself, libllvm19 where needed
	@tools/setup.sh

bench: setup      ## throughput benchmarks
	.venv/bin/radiovis bench heatmap

clean:            ## remove run outputs (not the committed figures)
	rm -rf runs
