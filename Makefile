# Two commands do all the set-up on a fresh machine (Python 3.11 + node):
#   make demo   runs the main job on the built-in defaults
#   make test   runs the whole test suite (CI runs it, then `make package-smoke`)
# Both create or update .venv and node_modules themselves and do nothing when they are up to date.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS_HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(DEPS_HASH)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | sha1sum | cut -c1-12)
SYS_STAMP := $(VENV)/.system-deps

.PHONY: demo demo-team test run lint bench venv node system-deps screenshots package package-smoke clean train-builtin

venv: $(STAMP)
node: $(NODE_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch is pinned in the same pip command: unpinned, pip would pull a CUDA build of several GB.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade "pip>=24,<27"
	$(PY) -m pip install -q --disable-pip-version-check "torch==2.13.0" -e ".[generate,publish,provenance,comfyui,gui,team,dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# `npm install` from the lock rather than `npm ci`: the lock names anvil's builds for every platform, and a
# registry mirror that carries only this platform's build makes `npm ci` refuse the whole install.
$(NODE_STAMP): package.json package-lock.json
	npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*
	touch $@

$(SYS_STAMP): tools/install-system-deps.sh | $(PY)
	tools/install-system-deps.sh
	touch $@

system-deps: $(SYS_STAMP)

demo: $(STAMP) $(NODE_STAMP)
	$(PY) -m studio demo

# Three members on one team library (a throwaway PostgreSQL server, or STUDIO_TEAM_DEMO_ADDRESS), the devnet.
demo-team: $(STAMP) $(NODE_STAMP) $(SYS_STAMP)
	$(PY) tools/team_demo.py

test: $(STAMP) $(NODE_STAMP) $(SYS_STAMP)
	tools/run-tests.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check studio tests bench tools
	$(VENV)/bin/lint-imports

run: $(STAMP) $(NODE_STAMP) $(SYS_STAMP)
	$(PY) -m studio

bench: $(STAMP) $(NODE_STAMP)
	$(PY) -m bench

# Rebuilds the built-in emoji model from the OpenMoji package, a seed and the script (a GPU when present; on a
# CPU pass e.g. TRAIN_ARGS="--minutes 60"). Output: .train/builtin/model and recipe.json; then
# `python -m bench.builtin_adherence` measures it. tools/train-builtin-gpu.sh does both on a CUDA machine.
train-builtin: $(STAMP) $(NODE_STAMP)
	$(PY) -m studio train builtin $(TRAIN_ARGS)

screenshots: $(STAMP) $(NODE_STAMP) $(SYS_STAMP)
	tools/screenshots.sh

package: $(STAMP) $(NODE_STAMP)
	$(PY) -m pip install -q "pyinstaller>=6.10,<7"
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/remix-studio.spec

# Builds the bundle, then runs it from a temporary folder with a clean environment: every command's --help, the
# demo on the bundled devnet, a generation with the built-in model, list, and the window (packaging/README.md).
package-smoke: package $(SYS_STAMP)
	packaging/smoke-test.sh dist/remix-studio

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
