#!/usr/bin/env bash
set -euo pipefail
# Deletes one kind cluster; succeeds when it is already gone (deleted by hand).
# Reads CLUSTER_NAME.
STEP=delete CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
require_env CLUSTER_NAME

if ! kind get clusters 2>/dev/null | grep -x "$CLUSTER_NAME" >/dev/null; then
    log "kind cluster is already gone"
    exit 0
fi
# A private kubeconfig, so a concurrent delete of another cluster never races on ~/.kube/config.
if ! run_quiet kind-delete kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$OCM_LAB_TMP/kubeconfig"; then
    fail "kind could not delete the cluster (output above)" "kind delete cluster --name $CLUSTER_NAME"
fi
log "deleted"
