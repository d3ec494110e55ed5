#!/usr/bin/env bash
set -euo pipefail
# Prints the host's kubeconfig for one kind cluster on stdout (the program keeps it as a secret).
# Reads CLUSTER_NAME.
STEP=kubeconfig CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME

# Once is enough: the create step before this one ended only when the cluster answered.
if ! kind get kubeconfig --name "$CLUSTER_NAME" >"$OCM_LAB_TMP/kubeconfig" 2>"$OCM_LAB_TMP/err"; then
    cat "$OCM_LAB_TMP/err" >&2
    fail "kind has no kubeconfig for the cluster" \
        "kind get clusters   # if $CLUSTER_NAME is missing: pulumi up --replace <URN of $CLUSTER_NAME-cluster, from pulumi stack --show-urns>"
fi
cat "$OCM_LAB_TMP/kubeconfig"
