#!/usr/bin/env bash
# README command 1: set up, start the whole suite as local processes on 8000-8003 (local
# store in var/store), grade the sample transcript and print the result and a curl line.
#   scripts/demo.sh          start (if needed) and grade the sample
#   scripts/demo.sh stop     stop the suite
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/bootstrap.sh)
case "${1:-up}" in
  stop) exec "$py" scripts/suite.py stop ;;
  up)
    "$py" scripts/suite.py start
    "$py" scripts/suite.py grade samples/stroke_interview.txt --rubric stroke_v1
    echo
    echo "The suite keeps running; stop it with: scripts/demo.sh stop"
    ;;
  *) echo "usage: scripts/demo.sh [up|stop]" >&2; exit 2 ;;
esac
