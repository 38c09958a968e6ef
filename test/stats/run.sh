#!/usr/bin/env bash
# socpulse's statistics against scipy and statsmodels (issue 22, "Check against things you did not write"):
# test/stats/cases.ts prints deterministic inputs and our outputs, test/stats/compare_scipy.py recomputes them with
# Debian's python3-scipy and python3-statsmodels; the output is recorded in test/stats/compare_scipy.out.
# A developer tool (`npm run stats:compare`): not part of `npm test` or CI, which have no scipy.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=/usr/bin/python3
if ! "$PY" -c 'import scipy, statsmodels' 2>/dev/null; then
  echo "test/stats/run.sh: $PY cannot import scipy and statsmodels: apt install python3-scipy python3-statsmodels" >&2
  exit 2
fi
npx tsx test/stats/cases.ts | "$PY" test/stats/compare_scipy.py | tee test/stats/compare_scipy.out
