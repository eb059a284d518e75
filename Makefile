# ripple: the two entry points are `make run` and `make test` (see README.md).
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: deps configure build run test unit e2e phpunit docker-test clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Installs what is missing, builds the binary, and starts the chat example (Ctrl-C stops it).
run: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target ripple
	$(BUILD_DIR)/ripple examples/chat.php

# Installs what is missing, builds, then runs every test.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory phpunit
	$(BUILD_DIR)/ripple scripts/check-api-docs.php
	$(MAKE) --no-print-directory docker-test
	@bash scripts/test-summary.sh $(BUILD_DIR)

phpunit: build
	$(BUILD_DIR)/ripple /usr/bin/phpunit -c tests-php/phpunit.xml --log-junit $(BUILD_DIR)/phpunit-junit.xml

docker-test:
	@mkdir -p $(BUILD_DIR)
	bash docker/test.sh 2>&1 | tee $(BUILD_DIR)/docker-test.log; exit $${PIPESTATUS[0]}

clean:
	rm -rf $(BUILD_DIR)
