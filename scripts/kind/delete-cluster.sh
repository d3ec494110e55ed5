#!/usr/bin/env bash
set -euo pipefail
# Deletes one kind cluster; succeeds when it is already gone (deleted by hand), and only when kind
# says so: a failed listing is an error. Reads CLUSTER_NAME and NETWORK_NAME.
STEP=delete CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME

require_docker
if ! kind get clusters >"$OCM_LAB_TMP/kind-list.log" 2>&1; then
    cat "$OCM_LAB_TMP/kind-list.log" >&2
    fail "kind could not list its clusters (output above); the cluster stays in the lab's state" \
        "kind get clusters, then run the same pulumi command again"
fi
# One listing is enough: a delete runs only for a cluster whose create finished (the engine keeps
# nothing else in its state), so one not listed now was deleted by hand.
if ! grep -x "$CLUSTER_NAME" "$OCM_LAB_TMP/kind-list.log" >/dev/null; then
    log "kind cluster is already gone"
    forget_credentials
    exit 0
fi
# A step stored by a version of the lab from before its clusters joined the lab's network has none.
if [ -z "${NETWORK_NAME:-}" ]; then
    fail "this cluster step was made by a version of the lab older than the lab's network, so whether the cluster is the lab's cannot be told; it was left untouched" \
        "kind delete cluster --name $CLUSTER_NAME if it is the lab's, then run the same command again"
fi
# Deleted only with the lab's mark (lib.sh lab_mark): a same-named cluster the lab did not make
# (one an earlier version kept when it found it, say) is left, and stays in the lab's state.
require_lab_mark "$CLUSTER_NAME-control-plane" "kind delete cluster --name $CLUSTER_NAME" \
    "if that cluster should go, kind delete cluster --name $CLUSTER_NAME yourself; to keep it, take it out of the lab's state instead: pulumi state delete URN (pulumi stack --show-urns shows the URN of ${OCM_LAB_STEP:-the cluster step}); then run the same command again"
# A private kubeconfig, so a concurrent delete of another cluster never races on ~/.kube/config.
if ! run_quiet kind-delete kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$OCM_LAB_TMP/kubeconfig"; then
    fail "kind could not delete the cluster (output above)" "kind delete cluster --name $CLUSTER_NAME"
fi
forget_credentials
log "deleted"
