#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the klusterlet the join made is heartbeating: the hub reports the spoke's
# ManagedCluster Available and its lease renewed since that klusterlet got its hub certificate.
# Reads HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG, KLUSTERLET_MODE,
# TIMEOUT_SECONDS, and KLUSTERLET_CONTEXT, KLUSTERLET_KUBECONFIG where the klusterlet runs elsewhere.
STEP=wait-available CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
klusterlet_where

# Available alone may be the word of the klusterlet before this one: the hub leaves the condition
# True until the lease is 5 x leaseDurationSeconds old (300 s; ocm v1.3.1 pkg/registration/hub/lease/
# controller.go:28,116-163), longer than a spoke takes to be rebuilt, and the lease names no agent.
# A renewal no older than this klusterlet's hub-kubeconfig-secret can only be its own: the one before
# it stopped before this one was made (or is this one, joined again). Both are RFC 3339 UTC times,
# compared to the second.
# shellcheck disable=SC2317 # called through wait_for
heartbeating() {
    local since renewed
    condition_true "$hub_kubeconfig" managedcluster "$SPOKE_NAME" "" ManagedClusterConditionAvailable || return 1
    if [ -z "$AGENT_NAMESPACE" ]; then klusterlet_where; fi
    [ -n "$AGENT_NAMESPACE" ] || return 1
    since="$(kubectl --kubeconfig "$KLUSTERLET_FILE" get secret hub-kubeconfig-secret -n "$AGENT_NAMESPACE" \
        -o 'jsonpath={.metadata.creationTimestamp}' 2>/dev/null || true)"
    renewed="$(kubectl --kubeconfig "$hub_kubeconfig" get lease managed-cluster-lease -n "$SPOKE_NAME" \
        -o 'jsonpath={.spec.renewTime}' 2>/dev/null || true)"
    [ -n "$since" ] && [ -n "$renewed" ] || return 1
    renewed="${renewed%%.*}"
    renewed="${renewed%Z}Z"
    [[ ! "$renewed" < "$since" ]]
}
if ! wait_for "the klusterlet of $SPOKE_NAME to heartbeat (ManagedCluster Available, lease renewed)" "$TIMEOUT_SECONDS" heartbeating; then
    fail "$SPOKE_NAME did not become Available within ${TIMEOUT_SECONDS}s: the hub has no heartbeat from the klusterlet on $KLUSTERLET_AT" \
        "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o yaml; kubectl --context $HUB_CONTEXT get lease managed-cluster-lease -n $SPOKE_NAME -o yaml"
fi
log "Available: the klusterlet on $KLUSTERLET_AT is heartbeating"
