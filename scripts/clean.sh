#!/usr/bin/env bash
set -euo pipefail
# On delete of a hub the lab did not make (runtime existing): takes the OCM hub off it again with
# `clusteradm clean`, once every ManagedCluster is gone (the registrations' deletes removed them),
# and checks the cluster manager is gone. Safe to re-run. Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG,
# TIMEOUT_SECONDS.
STEP=clean CLUSTER="${HUB_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
clean="clusteradm clean --context $HUB_CONTEXT"

# list RESOURCE: its objects on the hub by name; none, without an error, once its API is gone.
list() {
    local listed
    if listed="$(kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s get "$1" -o name 2>"$OCM_LAB_TMP/err")"; then
        printf '%s' "$listed"
        return 0
    fi
    grep "the server doesn't have a resource type" "$OCM_LAB_TMP/err" >/dev/null
}
# shellcheck disable=SC2317 # called through wait_for
no_managed_clusters() {
    local names
    names="$(list managedclusters)" && [ -z "$names" ]
}

if ! managers="$(list clustermanagers.operator.open-cluster-management.io)"; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "could not read the cluster manager on the hub (output above)" \
        "kubectl --context $HUB_CONTEXT get clustermanagers; when the hub answers, run the same pulumi command again"
fi
if [ -z "$managers" ]; then
    log "no cluster manager on the hub; nothing to clean"
    exit 0
fi
# clusteradm v1.3.1 clean changes nothing, and exits 0, while any ManagedCluster remains
# (pkg/cmd/clean/exec.go); each registration's delete removed its own without waiting for it to go.
if ! wait_for "the hub's ManagedClusters to be removed" "$TIMEOUT_SECONDS" no_managed_clusters; then
    fail "ManagedClusters remain on the hub ($(list managedclusters 2>/dev/null | paste -sd' ' -)), so clusteradm clean would leave the hub as it is" \
        "kubectl --context $HUB_CONTEXT get managedclusters; unjoin each from its cluster (clusteradm unjoin --cluster-name <name>), then run the same pulumi command again"
fi
log "removing the OCM hub (clusteradm clean)"
if ! run_quiet clusteradm-clean clusteradm clean --kubeconfig "$hub_kubeconfig" --purge-operator=true; then
    fail "clusteradm clean did not finish (output above)" "$clean, then run the same pulumi command again"
fi
# The ClusterManager goes once the operator has removed the hub's controllers (its finalizer), which
# may be after clusteradm returns: waited for, bounded.
# shellcheck disable=SC2317 # called through wait_for
manager_gone() { [ -z "$(list clustermanagers.operator.open-cluster-management.io 2>/dev/null || true)" ]; }
if ! wait_for "the cluster manager to go" "$TIMEOUT_SECONDS" manager_gone; then
    fail "clusteradm clean returned but the cluster manager remains on the hub" \
        "kubectl --context $HUB_CONTEXT get clustermanagers,managedclusters; then $clean"
fi
log "the OCM hub is removed; the cluster stays"
