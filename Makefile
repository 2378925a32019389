# ocirt — the commands a person types.
#
#   make            build build/ocirt and build/ocirt-unit-tests (same as `make build`)
#   make deps       install the Debian packages needed to build and test (apt-get, root)
#   make bundles    build the busybox test rootfs in bundles/busybox/rootfs
#   make demo       deps + build + bundles, then run the busybox demo container
#   make unit       run the Catch2 unit tests
#   make integration  run the bats integration tests against build/ocirt (root), then the
#                   engine suites (integration/engines: podman, containerd)
#   make engines    only the engine suites
#   make vm-test    run the cgroup-v2 tests (integration/vm/suites) in a QEMU guest
#   make vm-systemd-test  the systemd-driver tests (integration/vm/systemd_suites) in a QEMU
#                   guest booted with systemd as init
#   make test       everything CI runs; ends with one line "N passed, N failed"
#   make install    install build/ocirt to $(PREFIX)/bin (PREFIX=/usr/local)
#   make bench      ocirt, runc and crun side by side (root): prints and writes bench/RESULTS.md
#                   and bench/results.png, raw samples in build/bench/ (bench/README.md)
#   make clean      remove build/ and the generated rootfs
#
# Variables: PREFIX, DESTDIR, BUILD_TYPE, OCIRT (binary under test for `make integration`),
# BATS_FLAGS (extra flags for bats, e.g. BATS_FLAGS='--filter lifecycle'), VM_BATS (bats files
# for vm-test instead of integration/vm/suites), VM_SYSTEMD_BATS (the same for vm-systemd-test),
# VM_TIMEOUT (seconds the guest may run),
# BENCH_N, BENCH_WARMUP, BENCH_PARALLEL, BENCH_THROUGHPUT, BENCH_SCALE, RUNC, CRUN (make bench).

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.NOTPARALLEL:
.DEFAULT_GOAL := build

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
PREFIX     ?= /usr/local
DESTDIR    ?=
NPROC      := $(shell nproc 2>/dev/null || echo 2)
OCIRT      ?= $(abspath $(BUILD_DIR)/ocirt)
UNIT_TESTS := $(BUILD_DIR)/ocirt-unit-tests
LOG_DIR    := $(BUILD_DIR)/test-logs
BENCH_DRIVER := $(BUILD_DIR)/bench/driver
PYTHON     ?= /usr/bin/python3
BATS_FLAGS ?=

# Warnings are errors in CI (CI=true is set by CI systems and .ci/run).
ifeq ($(CI),true)
WERROR := ON
else
WERROR := OFF
endif

# Debian packages needed to build, build the bundles, run the tests and make bench (runc and
# crun to compare with, matplotlib for its plot; systemd and dbus for the systemd guest, which
# boots the host's root).
DEPS := g++ cmake make pkg-config nlohmann-json3-dev libseccomp-dev libcap-ng-dev \
        libspdlog-dev catch2 busybox-static bats jq python3 python3-jsonschema procps \
        golang-github-containers-common podman conmon containerd qemu-system-x86 \
        runc crun python3-matplotlib python3-grpcio python3-grpc-tools containernetworking-plugins \
        iproute2 libsystemd-dev systemd dbus uidmap strace \
        criu libprotobuf-c-dev protobuf-c-compiler

.PHONY: all build deps bundles demo demo-net unit integration engines vm-test vm-systemd-test test install bench clean

# The engine suites run after the runtime's own; each skips itself when its engine is missing.
ENGINE_SUITES := integration/engines/podman.bats integration/engines/podman_rootless.bats \
                 integration/engines/containerd.bats integration/engines/cri.bats

all: build

build:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DOCIRT_WERROR=$(WERROR)
	cmake --build $(BUILD_DIR) -j$(NPROC)

# Installs only what is missing: a machine that has everything makes no network call.
deps:
	@missing=""; \
	for p in $(DEPS); do \
		if [[ "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" != "install ok installed" ]]; then \
			missing="$$missing $$p"; \
		fi; \
	done; \
	if [[ -z "$$missing" ]]; then \
		echo "deps: all packages installed"; \
	else \
		echo "deps: installing$$missing"; \
		sudo=""; if [[ "$$(id -u)" != 0 ]]; then sudo="sudo"; fi; \
		$$sudo apt-get update; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends $$missing; \
	fi

bundles:
	bundles/build-rootfs.sh

demo: deps build bundles
	@root=$$(mktemp -d); id=ocirt-demo-$$$$; status=0; \
	echo "+ $(BUILD_DIR)/ocirt --root $$root run --bundle bundles/busybox $$id"; \
	$(BUILD_DIR)/ocirt --root "$$root" run --bundle bundles/busybox "$$id" </dev/null || status=$$?; \
	$(BUILD_DIR)/ocirt --root "$$root" delete --force "$$id" >/dev/null 2>&1 || true; \
	rm -rf "$$root"; \
	exit $$status

# A container connected to the host by a veth pair; ping both ways, then everything is removed
# (bundles/net/demo.sh). DEMO_NET_MODE=hook: a createRuntime hook moves the veth end instead.
demo-net: deps build bundles
	OCIRT=$(BUILD_DIR)/ocirt DEMO_NET_MODE=$${DEMO_NET_MODE:-netdevices} bundles/net/demo.sh

unit: build
	@if [[ ! -x $(UNIT_TESTS) ]]; then echo "unit: $(UNIT_TESTS) was not built (no tests/*.cpp?)" >&2; exit 1; fi
	$(UNIT_TESTS)

integration: build bundles
	@mkdir -p $(LOG_DIR); \
	echo "+ OCIRT=$(OCIRT) bats --tap $(BATS_FLAGS) integration/"; \
	OCIRT=$(OCIRT) bats --tap $(BATS_FLAGS) integration/ $(ENGINE_SUITES) 2>&1 | tee $(LOG_DIR)/integration.tap || true; \
	integration/summarize.sh --integration $(LOG_DIR)/integration.tap

engines: build bundles
	@mkdir -p $(LOG_DIR); \
	echo "+ OCIRT=$(OCIRT) bats --tap $(BATS_FLAGS) $(ENGINE_SUITES)"; \
	OCIRT=$(OCIRT) bats --tap $(BATS_FLAGS) $(ENGINE_SUITES) 2>&1 | tee $(LOG_DIR)/engines.tap || true; \
	integration/summarize.sh --integration $(LOG_DIR)/engines.tap

# In a guest with cgroup v2 alone (integration/vm/); only where qemu is installed (make deps
# installs it; checked when the recipe runs, after deps). The guest's kernel is downloaded
# (apt-get download, never installed) into build/vm once.
vm-test: build bundles
	@mkdir -p $(LOG_DIR); rm -f $(LOG_DIR)/vm.tap; \
	if ! command -v qemu-system-x86_64 >/dev/null; then echo "vm-test: skipped: qemu-system-x86_64 is not installed (make deps)"; exit 0; fi; \
	OCIRT=$(OCIRT) BATS_FLAGS="$(BATS_FLAGS)" integration/vm/test.sh $(LOG_DIR)/vm.tap || true; \
	integration/summarize.sh --vm $(LOG_DIR)/vm.tap

# In a guest booted with systemd as init (cgroup v2 alone): the systemd cgroup driver and the
# engines at their systemd defaults (integration/vm/systemd_suites).
vm-systemd-test: build bundles
	@mkdir -p $(LOG_DIR); rm -f $(LOG_DIR)/vm-systemd.tap; \
	if ! command -v qemu-system-x86_64 >/dev/null; then echo "vm-systemd-test: skipped: qemu-system-x86_64 is not installed (make deps)"; exit 0; fi; \
	OCIRT=$(OCIRT) BATS_FLAGS="$(BATS_FLAGS)" integration/vm/systemd-test.sh $(LOG_DIR)/vm-systemd.tap || true; \
	integration/summarize.sh --vm-systemd $(LOG_DIR)/vm-systemd.tap

# Runs both runners even if the first fails, prints each one's summary and the
# total as the last line ("N passed, N failed"), fails if anything failed.
test: deps build bundles
	@mkdir -p $(LOG_DIR); rm -f $(LOG_DIR)/unit.log $(LOG_DIR)/integration.tap $(LOG_DIR)/vm.tap $(LOG_DIR)/vm-systemd.tap; \
	echo "=== unit tests ($(UNIT_TESTS))"; \
	if [[ -x $(UNIT_TESTS) ]]; then \
		$(UNIT_TESTS) 2>&1 | tee $(LOG_DIR)/unit.log || true; \
	else \
		echo "$(UNIT_TESTS) was not built" | tee $(LOG_DIR)/unit.log; \
	fi; \
	echo "=== integration tests (bats, OCIRT=$(OCIRT))"; \
	OCIRT=$(OCIRT) bats --tap $(BATS_FLAGS) integration/ $(ENGINE_SUITES) 2>&1 | tee $(LOG_DIR)/integration.tap || true; \
	vm=(); \
	if command -v qemu-system-x86_64 >/dev/null; then \
		echo "=== cgroup v2 integration tests in a QEMU guest (integration/vm)"; \
		OCIRT=$(OCIRT) BATS_FLAGS="$(BATS_FLAGS)" integration/vm/test.sh $(LOG_DIR)/vm.tap || true; \
		vm=(--vm $(LOG_DIR)/vm.tap); \
		echo "=== the systemd cgroup driver and the engines at their systemd defaults in a QEMU guest booted with systemd"; \
		OCIRT=$(OCIRT) BATS_FLAGS="$(BATS_FLAGS)" integration/vm/systemd-test.sh $(LOG_DIR)/vm-systemd.tap || true; \
		vm+=(--vm-systemd $(LOG_DIR)/vm-systemd.tap); \
	else \
		echo "=== cgroup v2 tests skipped: qemu-system-x86_64 is not installed"; \
	fi; \
	echo "=== summary"; \
	integration/summarize.sh --unit $(LOG_DIR)/unit.log --integration $(LOG_DIR)/integration.tap "$${vm[@]}"

install: build
	install -D -m 0755 $(BUILD_DIR)/ocirt $(DESTDIR)$(PREFIX)/bin/ocirt

# The driver is built with the system cc: it is not part of ocirt.
bench: build bundles
	@mkdir -p $(dir $(BENCH_DRIVER))
	$(CC) -O2 -Wall -Wextra -std=c11 $(if $(filter ON,$(WERROR)),-Werror) -o $(BENCH_DRIVER) bench/driver.c
	OCIRT=$(OCIRT) BENCH_OUT=$(abspath $(BUILD_DIR))/bench $(PYTHON) bench/bench.py $(BENCH_DRIVER)

clean:
	rm -rf $(BUILD_DIR) bundles/busybox/rootfs
