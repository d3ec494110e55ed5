#!/usr/bin/env bash
set -euo pipefail
# On delete of a registration: removes the spoke's ManagedCluster from the hub so a spoke dropped from
# config leaves no stale entry. Skips only when the hub itself is gone. A cluster that lives on (the
# hub registered as itself) sets KLUSTERLET_KUBECONFIG and KLUSTERLET_CONTEXT: its klusterlet is
# unjoined first, or it would register the cluster again. Reads HUB_KUBECONFIG, HUB_CONTEXT,
# SPOKE_NAME, TIMEOUT_SECONDS.
STEP=unregister CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_KUBECONFIG HUB_CONTEXT SPOKE_NAME
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
next="kubectl --context $HUB_CONTEXT delete managedcluster $SPOKE_NAME --wait=false, then run the same pulumi command again"

if ! command -v kubectl >/dev/null 2>&1; then
    fail "kubectl is not on PATH, so the ManagedCluster cannot be removed" "npm run up installs kubectl into .tools/bin; $next"
fi

# gone ERROR_FILE: the cluster behind a failed call was deleted: nothing listens on its API port while
# Docker answers. A timeout, a refusal with Docker down, or any other error is not that.
gone() {
    grep "connection refused" "$1" >/dev/null && docker info >/dev/null 2>&1
}

# AppliedManifestWorks on the klusterlet's cluster, by name; none once the work API is gone.
applied_works() {
    local names
    if names="$(kubectl --kubeconfig "$klusterlet_kubeconfig" --request-timeout=20s get \
        appliedmanifestworks.work.open-cluster-management.io -o name 2>"$OCM_LAB_TMP/err")"; then
        printf '%s' "$names"
        return 0
    fi
    grep "the server doesn't have a resource type" "$OCM_LAB_TMP/err" >/dev/null
}
# shellcheck disable=SC2317 # called through wait_for
no_applied_works() {
    local names
    names="$(applied_works)" && [ -z "$names" ]
}

if [ -n "${KLUSTERLET_KUBECONFIG:-}" ]; then
    require_env KLUSTERLET_CONTEXT TIMEOUT_SECONDS
    klusterlet_kubeconfig="$(secret_file klusterlet.kubeconfig "$KLUSTERLET_KUBECONFIG")"
    unjoin="clusteradm unjoin --context $KLUSTERLET_CONTEXT --cluster-name $SPOKE_NAME"
    if ! applied_works >/dev/null && gone "$OCM_LAB_TMP/err"; then
        log "the cluster is gone (its API server refuses connections); nothing to unjoin"
    else
        # clusteradm v1.3.1 unjoin leaves the klusterlet in place, and exits 0, while any
        # AppliedManifestWork remains (pkg/cmd/unjoin/exec.go): the work agent removes them once their
        # ManifestWorks are gone from the hub, which Pulumi deletes before this step.
        if ! wait_for "the AppliedManifestWorks on $SPOKE_NAME to be removed" "$TIMEOUT_SECONDS" no_applied_works; then
            fail "AppliedManifestWorks remain on $SPOKE_NAME ($(applied_works 2>/dev/null | paste -sd' ' -)), so its klusterlet cannot be unjoined" \
                "kubectl --context $HUB_CONTEXT get manifestworks -n $SPOKE_NAME; delete them, then run the same pulumi command again"
        fi
        if ! run_quiet clusteradm-unjoin clusteradm unjoin --kubeconfig "$klusterlet_kubeconfig" --cluster-name "$SPOKE_NAME"; then
            fail "clusteradm unjoin did not finish (output above)" "$unjoin, then run the same pulumi command again"
        fi
        klusterlets="$(kubectl --kubeconfig "$klusterlet_kubeconfig" get klusterlets.operator.open-cluster-management.io \
            -o 'jsonpath={.items[*].spec.clusterName}' 2>/dev/null || true)"
        case " $klusterlets " in
        *" $SPOKE_NAME "*) fail "clusteradm unjoin returned but a klusterlet for $SPOKE_NAME remains" \
            "kubectl --context $KLUSTERLET_CONTEXT get klusterlets,appliedmanifestworks; then $unjoin" ;;
        esac
        log "klusterlet unjoined"
    fi
fi
# --wait=false: the hub's cleanup of the cluster namespace may wait on a spoke that no longer exists.
if kubectl --kubeconfig "$hub_kubeconfig" --request-timeout=20s delete managedcluster "$SPOKE_NAME" \
    --ignore-not-found --wait=false >"$OCM_LAB_TMP/err" 2>&1; then
    log "ManagedCluster removed from the hub"
    exit 0
fi
# The hub was deleted, and its ManagedClusters with it.
if gone "$OCM_LAB_TMP/err"; then
    log "the hub is gone (its API server refuses connections); nothing to remove"
    exit 0
fi
mask_secrets <"$OCM_LAB_TMP/err" >&2
fail "could not remove ManagedCluster $SPOKE_NAME from the hub (output above)" "$next"
