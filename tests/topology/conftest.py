"""The topology test starts a dozen servers and takes a minute or two: it is not part of `make test`
(run twice in CI, on SQLite and on PostgreSQL) but run once by .ci/run, and by scripts/topology-test
for operators, both of which set MAILLAGE_TOPOLOGY=1 (or MAILLAGE_REQUIRE_TOPOLOGY=1)."""

import os

if not (os.environ.get("MAILLAGE_TOPOLOGY") == "1" or os.environ.get("MAILLAGE_REQUIRE_TOPOLOGY") == "1"):
    collect_ignore_glob = ["test_*.py"]
