#!/usr/bin/env bash
# Run every test: start what the tests need (a Neo4j 5 server fetched with Maven, headless Chromium),
# run pytest, stop the server whatever happened.  In CI (CI=true) a missing prerequisite fails the run;
# outside CI the tests that need it skip, and pytest's summary says why.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
TEST_HOME="$PWD/.test-home"
mkdir -p test-output
in_ci() { [[ "${CI:-}" =~ ^(1|true|yes)$ ]]; }

# Headless Chromium for the browser test (Debian package; Playwright's own download does not work here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium (Debian package) for the browser test" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >test-output/apt.log 2>&1 \
      || echo "chromium install failed, see test-output/apt.log" >&2
  fi
fi

# Neo4j 5 for the Neo4j backend tests, unless the caller points at their own server.
started_neo4j=0
if [ -z "${NEO4J_URI:-}" ]; then
  if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
    if env_lines=$($BIN/gapmap --home "$TEST_HOME" neo4j start --print-env); then
      eval "$env_lines"
      started_neo4j=1
    else
      echo "Neo4j did not start; Neo4j tests will $(in_ci && echo fail || echo skip)" >&2
    fi
  else
    echo "java or mvn missing: Neo4j tests will $(in_ci && echo fail || echo skip)" >&2
  fi
fi
stop_neo4j() { [ "$started_neo4j" = 1 ] && $BIN/gapmap --home "$TEST_HOME" neo4j stop >&2; }
trap stop_neo4j EXIT

$BIN/pytest -q -p no:cacheprovider --timeout=1800 "$@"
