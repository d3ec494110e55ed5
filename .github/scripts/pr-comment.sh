#!/usr/bin/env bash
# One comment per stack on a pull request, edited in place on each push (.github/workflows/e2e.yml).
#
#   pr-comment.sh <stack> <body file>     env: GH_TOKEN, GITHUB_REPOSITORY, PR
#
# The comment's first line is a marker naming the stack. The workflow's own earlier comment with
# that marker is edited; when there is none, one is made. e2e.yml calls this only where its token
# may write (not on a fork's or Dependabot's pull request).
set -euo pipefail

stack="$1"
body="$2"
: "${GITHUB_REPOSITORY:?}" "${PR:?}"
marker="<!-- ocm-lab e2e preview: $stack -->"
author="github-actions[bot]"

comment="$(mktemp)"
trap 'rm -f "$comment"' EXIT
{
    echo "$marker"
    cat "$body"
} >"$comment"

# A jq string literal: the marker and author are quoted, never read as jq.
jq_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"; }

ids="$(
    gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR/comments" \
        --jq ".[] | select(.user.login == $(jq_string "$author") and (.body | startswith($(jq_string "$marker")))) | .id"
)"
existing="${ids%%$'\n'*}" # the oldest, should an earlier run have made two
if [ -n "$existing" ]; then
    gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$comment" >/dev/null
    echo "edited the $stack preview comment ($existing) on pull request $PR"
else
    gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F "body=@$comment" >/dev/null
    echo "posted the $stack preview comment on pull request $PR"
fi
