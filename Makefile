# Thin wrapper over CMake. `make run` and `make test` work on a fresh Debian 12
# machine: they install the Debian packages they need first.

BUILD       ?= build
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc)
WERROR      ?= ON
NAMESPACE   ?= mustgather-webhook
CERT_DIR    ?= certs/dev
DEPLOY_CERT_DIR ?= certs/deploy
IMAGE       ?= mustgather-webhook:0.1.0
# e.g. BUILDAH_FLAGS="--storage-driver vfs --isolation chroot" where overlay mounts are unavailable.
BUILDAH_FLAGS ?=
FUZZ_SECONDS ?= 60
BENCH_SECONDS ?= 10
SOAK_SECONDS ?= 600

PACKAGES := build-essential cmake ninja-build pkg-config openssl ca-certificates \
            libcpp-httplib-dev libssl-dev nlohmann-json3-dev libspdlog-dev \
            libgtest-dev libgmock-dev libyaml-dev libssh-dev libarchive-dev libsimdjson-dev
# make test only: the real SFTP server (and CONNECT proxy) the upload tests run, and Go
# with kubectl's YAML library for the YAML oracle (test/support/kubectl_yaml_oracle).
TEST_PACKAGES := python3-asyncssh golang-go golang-k8s-sigs-yaml-dev golang-gopkg-yaml.v2-dev \
                 golang-golang-x-text-dev
FUZZ_PACKAGES := clang libclang-rt-14-dev
# make format, format-check and tidy.
LINT_PACKAGES := clang-format clang-tidy
# make bench only: the Go net/http reference webhook, nginx for the no-work TLS floor,
# and jq for the result table.
BENCH_PACKAGES := golang-go jq nginx-light python3

BIN := $(BUILD)/mustgather-webhook

.PHONY: all deps test-deps build test run certs asan tsan bench soak bench-deps fuzz fuzz-deps lint-deps format format-check tidy clean help
.PHONY: image deploy deploy-certs undeploy

all: build

help:
	@echo "make run      install deps, build, make dev certs, serve on https://127.0.0.1:9443"
	@echo "make test     install deps, build, run every test"
	@echo "make asan     the test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make tsan     the test suite under ThreadSanitizer"
	@echo "make bench    load benchmark of the HTTPS server and the offline validator"
	@echo "make soak     SOAK_SECONDS (600) of good reviews beside hostile clients; fails on any failed review or growth"
	@echo "make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 60)"
	@echo "make certs    dev CA and serving certificate in $(CERT_DIR)"
	@echo "make format   clang-format every source file (make format-check: fail on a difference)"
	@echo "make tidy     clang-tidy (.clang-tidy) over every source in src/"
	@echo "make image    container image $(IMAGE) (buildah if installed, else docker)"
	@echo "make deploy   kubectl apply -k manifests/, then deploy-certs (current kubeconfig context)"
	@echo "make deploy-certs  CA + serving cert in $(DEPLOY_CERT_DIR), TLS Secret, caBundle patches"
	@echo "make undeploy remove everything deploy installed, CRDs (and so every MustGather) included"

# Installs missing Debian packages when run as root; otherwise prints the apt-get line.
define install_packages
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_packages,$(PACKAGES))

test-deps: deps
	$(call install_packages,$(TEST_PACKAGES))

fuzz-deps: test-deps
	$(call install_packages,$(FUZZ_PACKAGES))

bench-deps: deps
	$(call install_packages,$(BENCH_PACKAGES))

lint-deps:
	$(call install_packages,$(LINT_PACKAGES))

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMGW_WARNINGS_AS_ERRORS=$(WERROR)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: test-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 300

$(CERT_DIR)/tls.crt:
	certs/gen-certs.sh --namespace $(NAMESPACE) --out $(CERT_DIR)

certs: deps $(CERT_DIR)/tls.crt

run: build certs
	$(BIN) serve --listen 127.0.0.1:9443 --probe-listen 127.0.0.1:8081 \
	  --tls-cert-file $(CERT_DIR)/tls.crt --tls-key-file $(CERT_DIR)/tls.key \
	  --allowlist-file examples/allowlist.yaml

asan: test-deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMGW_WARNINGS_AS_ERRORS=$(WERROR) \
	  -DMGW_SANITIZE="address;undefined" -DMGW_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS) --timeout 600

tsan: test-deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMGW_WARNINGS_AS_ERRORS=$(WERROR) \
	  -DMGW_SANITIZE=thread -DMGW_BUILD_BENCH=OFF
	cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/test/tsan.supp" ctest --test-dir build-tsan --output-on-failure -j $(JOBS) --timeout 600

bench: bench-deps build certs
	bench/run.sh $(BIN) $(BUILD) $(CERT_DIR) $(BENCH_SECONDS)

# Good reviews beside hostile clients for SOAK_SECONDS (bench/soak.sh); not in `test`.
soak: bench-deps build certs
	bench/soak.sh $(BIN) $(BUILD) $(CERT_DIR) $(SOAK_SECONDS)

fuzz: fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMGW_BUILD_FUZZERS=ON -DMGW_BUILD_TESTS=OFF -DMGW_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

format: lint-deps
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check: lint-deps
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

# clang-tidy reads the compile commands of the test build; one process per core.
tidy: lint-deps build
	git ls-files 'src/*.cpp' | xargs -P $(JOBS) -n 4 clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz

image:
	@if command -v buildah >/dev/null 2>&1; then \
	  echo "buildah bud $(BUILDAH_FLAGS) -t $(IMAGE) ."; buildah bud $(BUILDAH_FLAGS) -t $(IMAGE) -f Dockerfile .; \
	elif command -v docker >/dev/null 2>&1; then \
	  echo "docker build -t $(IMAGE) ."; docker build -t $(IMAGE) -f Dockerfile .; \
	else \
	  echo "make image needs buildah or docker"; exit 1; \
	fi

# The manifests first: deploy-certs patches caBundle into the webhook configurations
# they create. The pods start once the Secret exists.
deploy:
	kubectl apply -k manifests/
	$(MAKE) deploy-certs
	kubectl -n $(NAMESPACE) rollout status deployment/mustgather-webhook --timeout=180s

deploy-certs:
	certs/gen-certs.sh deploy --namespace $(NAMESPACE) --out $(DEPLOY_CERT_DIR)

# Webhook registrations first, so a webhook that is already gone never blocks the rest.
undeploy:
	kubectl delete validatingwebhookconfiguration/mustgather-webhook \
	  mutatingwebhookconfiguration/mustgather-webhook --ignore-not-found
	kubectl delete -k manifests/ --ignore-not-found
