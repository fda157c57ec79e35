#!/usr/bin/env bash
# Runs the rollout benchmark (docs/benchmarks.md): builds the service, then starts it once per scenario on a
# simulated fleet (or, for "ansible", on loopback OpenSSH hosts next to ansible-playbook) and prints the figures.
# Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests package
rm -rf target/bench
javac -d target/bench -cp "target/quarkus-app/lib/main/*" bench/*.java
java -cp "target/bench:target/quarkus-app/lib/main/*" RolloutBenchmark "$@"
