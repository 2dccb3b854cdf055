#!/usr/bin/env bash
# buf breaking: the protos must not break a client built against main (on a
# branch), or against the commit before (on main itself).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../proto"
buf=../tools/validate/node_modules/.bin/buf
if [[ $(git rev-parse HEAD) != $(git rev-parse -q --verify main || true) ]] && git rev-parse -q --verify main >/dev/null; then
  against=main
else
  against=$(git rev-parse -q --verify HEAD~1) || { echo "no main branch and no previous commit to compare with" >&2; exit 1; }
fi
echo "buf breaking against $against"
exec "$buf" breaking --against "../.git#ref=$against,subdir=proto" --exclude-imports --exclude-path third_party
