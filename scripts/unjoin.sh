#!/usr/bin/env bash
set -euo pipefail
# Unjoins the klusterlet of ManagedCluster SPOKE_NAME from the cluster it runs on, which outlives the
# registration: the hub, for a hosted spoke or for the hub registered as itself, or a spoke the lab
# did not make (runtime existing: LAB_OWNS_CLUSTERS=false). Safe to re-run. Reads SPOKE_NAME,
# KLUSTERLET_CONTEXT, KLUSTERLET_KUBECONFIG, KLUSTERLET_MODE, TIMEOUT_SECONDS, PURGE_OPERATOR,
# LAB_OWNS_CLUSTERS.
STEP=unjoin CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env SPOKE_NAME KLUSTERLET_CONTEXT KLUSTERLET_KUBECONFIG TIMEOUT_SECONDS
klusterlet_kubeconfig="$(secret_file klusterlet.kubeconfig "$KLUSTERLET_KUBECONFIG")"
# The klusterlet operator stays on a lab's own cluster: clusteradm purges it once no klusterlet is
# left, and two unjoins at once (two spokes removed) could then delete its CRD under the other's
# klusterlet. On a user's cluster the klusterlet is alone (no hosted mode there): it goes too.
purge="${PURGE_OPERATOR:-false}"
unjoin="clusteradm unjoin --context $KLUSTERLET_CONTEXT --cluster-name $SPOKE_NAME --purge-operator=$purge"

# list RESOURCE OUTPUT: the objects of RESOURCE on the klusterlet's cluster as `-o OUTPUT` prints them;
# none, without an error, once that API is gone (the klusterlet's CRDs go with it). Errors in err.
list() {
    local listed
    if listed="$(kubectl --kubeconfig "$klusterlet_kubeconfig" --request-timeout=20s get "$1" -o "$2" 2>"$OCM_LAB_TMP/err")"; then
        printf '%s' "$listed"
        return 0
    fi
    grep "the server doesn't have a resource type" "$OCM_LAB_TMP/err" >/dev/null
}
# The names of the klusterlets registering SPOKE_NAME from this cluster.
klusterlets() {
    local listed
    listed="$(list klusterlets.operator.open-cluster-management.io \
        'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.clusterName}{"\n"}{end}')" || return 1
    printf '%s\n' "$listed" | awk -v cluster="$SPOKE_NAME" '$2 == cluster { print $1 }'
}
# AppliedManifestWorks on the klusterlet's cluster, by name.
applied_works() { list appliedmanifestworks.work.open-cluster-management.io name; }
# shellcheck disable=SC2317 # called through wait_for
no_applied_works() {
    local names
    names="$(applied_works)" && [ -z "$names" ]
}

if ! found="$(klusterlets)"; then
    # Nothing listens on its API port while Docker answers: the lab's cluster was deleted, klusterlet
    # and all. A user's cluster that does not answer is down or unreachable, never taken as gone.
    if [ "${LAB_OWNS_CLUSTERS:-true}" = true ] && grep "connection refused" "$OCM_LAB_TMP/err" >/dev/null &&
        docker info >/dev/null 2>&1; then
        log "the cluster the klusterlet ran on is gone (its API server refuses connections); nothing to unjoin"
        exit 0
    fi
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "could not list the klusterlets on $KLUSTERLET_CONTEXT (output above)" "$unjoin, then run the same pulumi command again"
fi
if [ -z "$found" ]; then
    log "no klusterlet registers $SPOKE_NAME from $KLUSTERLET_CONTEXT; nothing to unjoin"
    exit 0
fi

# clusteradm v1.3.1 unjoin keeps the klusterlet, and exits 0, while any AppliedManifestWork remains
# (pkg/cmd/unjoin/exec.go). Where the works apply to the cluster the klusterlet runs on, the work
# agent removes them once Pulumi has deleted their ManifestWorks. A hosted klusterlet's works are on
# the spoke, which clusteradm cannot reach from here by the in-network address; it passes over them.
if [ "${KLUSTERLET_MODE:-default}" != hosted ] &&
    ! wait_for "the AppliedManifestWorks on $SPOKE_NAME to be removed" "$TIMEOUT_SECONDS" no_applied_works; then
    fail "AppliedManifestWorks remain on $SPOKE_NAME ($(applied_works 2>/dev/null | paste -sd' ' -)), so its klusterlet cannot be unjoined" \
        "kubectl --context $KLUSTERLET_CONTEXT get appliedmanifestworks; delete their ManifestWorks on the hub (namespace $SPOKE_NAME), then run the same pulumi command again"
fi
log "unjoining klusterlet $found from $KLUSTERLET_CONTEXT"
if ! run_quiet clusteradm-unjoin clusteradm unjoin --kubeconfig "$klusterlet_kubeconfig" --cluster-name "$SPOKE_NAME" \
    --purge-operator="$purge"; then
    fail "clusteradm unjoin did not finish (output above)" "$unjoin, then run the same pulumi command again"
fi
# The Klusterlet goes once the operator has removed what it deployed (its finalizer), which may be
# after clusteradm returns: waited for, bounded.
# shellcheck disable=SC2317 # called through wait_for
klusterlet_gone() { [ -z "$(klusterlets 2>/dev/null || true)" ]; }
if ! wait_for "the klusterlet of $SPOKE_NAME to go" "$TIMEOUT_SECONDS" klusterlet_gone; then
    fail "clusteradm unjoin returned but a klusterlet for $SPOKE_NAME remains on $KLUSTERLET_CONTEXT" \
        "kubectl --context $KLUSTERLET_CONTEXT get klusterlets,appliedmanifestworks; then $unjoin"
fi
log "klusterlet unjoined"
