# Shelf: the commands a newcomer needs. `make build` then `make serve`; `make test` runs the suite.
PY := .venv/bin/python
ARTIFACTS ?= artifacts
STATIC ?= static
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install build site serve emulator deploy-hosting test test-fast lint bench clean

install: .venv/.installed node_modules/.installed .system-installed

# The Python that creates .venv: the first of these that runs, unless PYTHON=... is given.
# TensorFlow 2.19 and tensorflow-decision-forests (which tensorflowjs needs) ship wheels for
# Python 3.12 at most, so a newer python3 stops here at once instead of failing inside pip.
PYTHON_VERSIONS := 3.11 3.12
PYTHON ?= $(firstword $(foreach p,python3.11 python3.12 python3,$(shell $(p) -c '' 2>/dev/null && echo $(p))))
PYTHON_VERSION = $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))

.venv/.installed: requirements.txt requirements-dev.txt
	$(if $(filter $(PYTHON_VERSION),$(PYTHON_VERSIONS)),,$(error make install needs Python 3.11 or 3.12 (TensorFlow 2.19 has no wheels for newer ones) but $(or $(PYTHON),python3) is $(or $(PYTHON_VERSION),missing): install python3.12, or run make PYTHON=/path/to/python3.12))
	test -x $(PY) || $(PYTHON) -m venv .venv
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

.system-installed: scripts/install_system.sh
	bash scripts/install_system.sh

# Data -> rating model (split fit, then the shipped fit) -> evaluation -> explorer -> static
# site; each stage prints its time. Each stage writes one folder of $(ARTIFACTS), swapped in whole
# (model/layout.py): model/, eval/, explorer/links/, explorer/maps/; the site build alone writes $(STATIC).
STAGE := bash scripts/stage.sh
build: install
	@$(STAGE) model.train $(PY) -m model.train --out $(ARTIFACTS)
	@$(STAGE) model.evaluate $(PY) -m model.evaluate --artifacts $(ARTIFACTS)
	@$(STAGE) explorer.links $(PY) -m explorer.links --out $(ARTIFACTS)
	@$(STAGE) explorer.maps $(PY) -m explorer.maps --artifacts $(ARTIFACTS)
	@$(STAGE) site $(PY) -m sitebuild --artifacts $(ARTIFACTS) --out $(STATIC)

site: install
	$(PY) -m sitebuild --artifacts $(ARTIFACTS) --out $(STATIC)

serve: install
	test -f $(STATIC)/metadata.json || $(MAKE) build
	SHELF_STATIC_DIR=$(STATIC) .venv/bin/gunicorn -c gunicorn.conf.py 'server:create_app()'

emulator: site
	CI=1 node_modules/.bin/firebase emulators:start --only hosting --project demo-shelf

deploy-hosting: site
	node_modules/.bin/firebase deploy --only hosting --project $(FIREBASE_PROJECT)

test: install
	$(PY) -m pytest -q

# The tests that need neither Chromium nor seconds (training, TensorFlow, site builds, servers, CLIs): pyproject.toml.
test-fast: install
	$(PY) -m pytest -q -m "not browser and not slow"

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench: install
	$(PY) benchmarks/bench_recommend.py --artifacts $(ARTIFACTS)
	$(PY) benchmarks/bench_web.py --artifacts $(ARTIFACTS)
	$(PY) benchmarks/bench_import.py --artifacts $(ARTIFACTS)
	$(PY) benchmarks/bench_load.py --artifacts $(ARTIFACTS) --knee
	$(PY) benchmarks/bench_half_open.py
	$(PY) benchmarks/bench_search.py --chromium
	$(PY) benchmarks/bench_map.py
	$(PY) benchmarks/bench_phone.py --artifacts $(ARTIFACTS)

clean:
	rm -rf $(ARTIFACTS) $(STATIC) test-artifacts .cache/precompressed
