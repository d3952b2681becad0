#!/usr/bin/env bash
# One stage of `make build`: run the command, then print how long it took.
#   scripts/stage.sh NAME COMMAND [ARG...]
name=$1
shift
SECONDS=0
"$@"
status=$?
echo "[build] ${name}: ${SECONDS}s (exit ${status})"
exit "$status"
