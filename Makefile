# connectsafely-wasm: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PORT ?= 8787
HOST ?= 127.0.0.1

.PHONY: all setup pkg test sandbox demo bench clean

all: pkg

setup:
	@./scripts/setup.sh

pkg: setup
	@./scripts/build-pkg.sh

test:
	@./scripts/setup.sh --browsers
	@./scripts/test.sh

sandbox:
	node sandbox/server.mjs --host $(HOST) --port $(PORT)

demo: pkg
	@echo "Demo: http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	node sandbox/server.mjs --host $(HOST) --port $(PORT) --static /=www --static /pkg=pkg --static /vendor/papaparse=node_modules/papaparse

bench: pkg
	@./scripts/setup.sh --browsers
	mkdir -p target && cargo bench --quiet --bench plan | tee target/bench-plan.txt
	node --expose-gc bench/run.mjs
	node --expose-gc bench/store.mjs

clean:
	rm -rf pkg target tests/js/node_modules

.PHONY: fuzz
fuzz:
	@./scripts/fuzz.sh

.PHONY: soak
soak: pkg
	node --expose-gc tests/soak/soak.mjs

# Instructions per operation (valgrind), which this machine's timings blur: validation per
# body shape, a send's own work and a cold start. B=<pkg dir> counts another build beside pkg/.
.PHONY: bench-icount
bench-icount: pkg
	@./scripts/setup.sh --browsers
	node bench/icount.mjs $(if $(B),--b $(B))
