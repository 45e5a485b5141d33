"""Reads cargo's JSON messages (`--message-format=json-diagnostic-rendered-ansi`) on stdin:
prints each compiler diagnostic on stderr, as cargo would have, and the OUT_DIR of the build
script of the package whose id is the first argument on stdout. Exits 1 when that build
script did not report in this build.

Used by .ci/run to read the generated client of the very build it ran, rather than the
newest file of a directory.
"""

import json
import sys

package_id = sys.argv[1]
out_dir = None
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    reason = message.get("reason")
    if reason == "compiler-message":
        sys.stderr.write(message["message"].get("rendered") or "")
    elif reason == "build-script-executed" and message.get("package_id") == package_id:
        out_dir = message["out_dir"]
if out_dir is None:
    sys.exit(f"no build-script-executed message for {package_id}")
print(out_dir)
