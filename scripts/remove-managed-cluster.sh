#!/usr/bin/env bash
set -euo pipefail
# On delete of a registration: removes the spoke's ManagedCluster from the hub, waits until the hub
# has finished, then unjoins a klusterlet that lives on. Reads HUB_KUBECONFIG, HUB_CONTEXT, SPOKE_NAME,
# LAB_OWNS_CLUSTERS, TIMEOUT_SECONDS, and for such a klusterlet (the hub's own, a hosted one, or one on
# a cluster the lab did not make) KLUSTERLET_KUBECONFIG, KLUSTERLET_CONTEXT, KLUSTERLET_MODE and
# PURGE_OPERATOR for unjoin.sh. Skipped only when the lab's hub is gone.
STEP=unregister CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_KUBECONFIG HUB_CONTEXT SPOKE_NAME
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
next="kubectl --context $HUB_CONTEXT delete managedcluster $SPOKE_NAME --wait=false, then run the same pulumi command again"

if ! command -v kubectl >/dev/null 2>&1; then
    fail "kubectl is not on PATH, so the ManagedCluster cannot be removed" "npm run up installs kubectl into .tools/bin; $next"
fi

# A klusterlet that lives on is unjoined once its ManagedCluster is gone, not before: the hub's GC
# finishes the delete only with the klusterlet's help (below), and a certified agent does not make its
# ManagedCluster again (only a bootstrapping one does: ocm v1.3.1 pkg/registration/spoke/
# spokeagent.go:281-337). Not a step of its own: no line in the run record.
unjoin_klusterlet() {
    if [ -n "${KLUSTERLET_KUBECONFIG:-}" ]; then
        OCM_LAB_STEP="" /bin/bash "${BASH_SOURCE[0]%/*}/unjoin.sh"
    fi
}

# The hub finishes the delete on its own: its GC removes the cluster's add-ons and ManifestWorks first,
# and the spoke's agents must take part (an add-on's pre-delete Job, a work's finalizer: ocm v1.3.1
# pkg/registration/hub/gc/gc_resources.go:48-102). So this waits, bounded, until it is gone, while the
# klusterlet still runs: the lab deletes the spoke's cluster, or unjoins the klusterlet, only after.
# shellcheck disable=SC2317 # called through wait_for
managed_cluster_gone() {
    ! kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s get managedcluster "$SPOKE_NAME" -o name \
        >/dev/null 2>&1
}
if kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s delete managedcluster "$SPOKE_NAME" \
    --ignore-not-found --wait=false >"$OCM_LAB_TMP/err" 2>&1; then
    if ! wait_for "the hub to finish removing ManagedCluster $SPOKE_NAME" "${TIMEOUT_SECONDS:-300}" managed_cluster_gone; then
        fail "ManagedCluster $SPOKE_NAME is still on the hub ${TIMEOUT_SECONDS:-300}s after its delete (its add-ons or ManifestWorks hold it)" \
            "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o yaml; kubectl --context $HUB_CONTEXT get managedclusteraddons,manifestworks -n $SPOKE_NAME"
    fi
    log "ManagedCluster removed from the hub"
    unjoin_klusterlet
    exit 0
fi
# Nothing listens on the hub's API port while Docker answers: the lab's hub was deleted, and its
# ManagedClusters with it. A timeout, a refusal with Docker down, a user's hub that does not answer
# (runtime existing) or any other error is a failure.
if [ "${LAB_OWNS_CLUSTERS:-true}" = true ] && grep "connection refused" "$OCM_LAB_TMP/err" >/dev/null &&
    docker info >/dev/null 2>&1; then
    log "the hub is gone (its API server refuses connections); nothing to remove"
    unjoin_klusterlet
    exit 0
fi
mask_secrets <"$OCM_LAB_TMP/err" >&2
fail "could not remove ManagedCluster $SPOKE_NAME from the hub (output above)" "$next"
