#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): tapfix on $TAPFIX_PATHS in $TAPFIX_MODE (check or
# write), SARIF to $TAPFIX_SARIF, a Markdown summary to $GITHUB_STEP_SUMMARY when set. Exits with
# tapfix's code: 0 clean, 1 fixes pending (check) or findings at --fail-on remaining, 2 errors.
set -uo pipefail
tapfix=(node "${GITHUB_ACTION_PATH:?}/bin/tapfix")
case "${TAPFIX_MODE:-check}" in
  check) mode=(--check) ;;
  write) mode=(--write) ;;
  *) echo "tapfix action: mode must be check or write, not ${TAPFIX_MODE}" >&2; exit 2 ;;
esac
read -r -a paths <<< "${TAPFIX_PATHS:-.}"
read -r -a extra <<< "${TAPFIX_ARGS:-}"
fail_on=()
if [ -n "${TAPFIX_FAIL_ON:-}" ]; then fail_on=(--fail-on "$TAPFIX_FAIL_ON"); fi
sarif="${TAPFIX_SARIF:-tapfix.sarif}"

"${tapfix[@]}" "${paths[@]}" "${mode[@]}" "${fail_on[@]}" "${extra[@]}" --format sarif --output-file "$sarif"
code=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  # What is left after the run, for the job page (a dry run: it changes nothing).
  "${tapfix[@]}" "${paths[@]}" "${extra[@]}" --format markdown >> "$GITHUB_STEP_SUMMARY" || true
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"; fi
exit "$code"
