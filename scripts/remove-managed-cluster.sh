#!/usr/bin/env bash
set -euo pipefail
# On delete of a registration: removes the spoke's ManagedCluster from the hub (skipped only when the
# lab's hub is gone), first unjoining a klusterlet that lives on (the hub's own, a hosted one, or one
# on a cluster the lab did not make) through unjoin.sh. Reads HUB_KUBECONFIG, HUB_CONTEXT,
# SPOKE_NAME, LAB_OWNS_CLUSTERS, and for such a klusterlet KLUSTERLET_KUBECONFIG,
# KLUSTERLET_CONTEXT, KLUSTERLET_MODE, PURGE_OPERATOR.
STEP=unregister CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_KUBECONFIG HUB_CONTEXT SPOKE_NAME
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
next="kubectl --context $HUB_CONTEXT delete managedcluster $SPOKE_NAME --wait=false, then run the same pulumi command again"

if ! command -v kubectl >/dev/null 2>&1; then
    fail "kubectl is not on PATH, so the ManagedCluster cannot be removed" "npm run up installs kubectl into .tools/bin; $next"
fi

# A klusterlet that lives on is unjoined first, or it would register the cluster again. Not a step of
# its own: no line in the run record.
if [ -n "${KLUSTERLET_KUBECONFIG:-}" ]; then
    OCM_LAB_STEP="" /bin/bash "${BASH_SOURCE[0]%/*}/unjoin.sh"
fi
# --wait=false: the hub's cleanup of the cluster namespace may wait on a spoke that no longer exists.
if kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s delete managedcluster "$SPOKE_NAME" \
    --ignore-not-found --wait=false >"$OCM_LAB_TMP/err" 2>&1; then
    log "ManagedCluster removed from the hub"
    exit 0
fi
# Nothing listens on the hub's API port while Docker answers: the lab's hub was deleted, and its
# ManagedClusters with it. A timeout, a refusal with Docker down, a user's hub that does not answer
# (runtime existing) or any other error is a failure.
if [ "${LAB_OWNS_CLUSTERS:-true}" = true ] && grep "connection refused" "$OCM_LAB_TMP/err" >/dev/null &&
    docker info >/dev/null 2>&1; then
    log "the hub is gone (its API server refuses connections); nothing to remove"
    exit 0
fi
mask_secrets <"$OCM_LAB_TMP/err" >&2
fail "could not remove ManagedCluster $SPOKE_NAME from the hub (output above)" "$next"
