# Shelf: the commands a newcomer needs. `make build` then `make serve`; `make test` runs the suite.
PY := .venv/bin/python
ARTIFACTS ?= artifacts
STATIC ?= static
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install build site serve emulator deploy-hosting test lint bench clean

install: .venv/.installed node_modules/.installed .system-installed

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

.system-installed: scripts/install_system.sh
	bash scripts/install_system.sh

# Data -> trained rating model -> evaluation -> explorer -> static site.
build: install
	$(PY) -m model.train --out $(ARTIFACTS)
	$(PY) -m model.evaluate --out $(ARTIFACTS)
	$(PY) -m model.links --out $(ARTIFACTS)
	$(PY) -m model.maps --out $(ARTIFACTS)
	$(PY) scripts/build_site.py --artifacts $(ARTIFACTS) --out $(STATIC)

site: install
	$(PY) scripts/build_site.py --artifacts $(ARTIFACTS) --out $(STATIC)

serve: install
	test -f $(STATIC)/metadata.json || $(MAKE) build
	SHELF_STATIC_DIR=$(STATIC) .venv/bin/gunicorn -c gunicorn.conf.py 'server:create_app()'

emulator: site
	CI=1 node_modules/.bin/firebase emulators:start --only hosting --project demo-shelf

deploy-hosting: site
	node_modules/.bin/firebase deploy --only hosting --project $(FIREBASE_PROJECT)

test: install
	$(PY) -m pytest -q

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench: install
	$(PY) benchmarks/bench_recommend.py --artifacts $(ARTIFACTS)
	$(PY) benchmarks/bench_web.py --artifacts $(ARTIFACTS)
	$(PY) benchmarks/bench_load.py --artifacts $(ARTIFACTS) --knee

clean:
	rm -rf $(ARTIFACTS) $(STATIC) test-artifacts
