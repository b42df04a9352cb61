"""pdpyras's side of scripts/bench-cli.sh: every user of the API at argv[1], one JSON line each."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import pdpyras  # noqa: E402

session = pdpyras.APISession("bench")
session.url = sys.argv[1]
write = sys.stdout.write
for user in session.iter_all("users"):
    write(json.dumps(user) + "\n")
