#!/usr/bin/env bash
set -euo pipefail
# Puts a NoSelect taint TAINT_KEY on the ManagedCluster SPOKE_NAME (safe to re-run): Placements that
# do not tolerate the key stop selecting it. The hub's mutating webhook stamps timeAdded, which a new
# taint must not carry (ocm v1.3.1 pkg/registration/webhook/v1/managedcluster_mutating.go).
# Reads HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME, TAINT_KEY; SPOKE_CLUSTER_ID only makes a rebuilt
# cluster run it again.
STEP=taint CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
require_env HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME TAINT_KEY
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

taint_keys() {
    kubectl --kubeconfig "$hub_kubeconfig" get managedcluster "$SPOKE_NAME" -o 'jsonpath={.spec.taints[*].key}'
}
if ! keys="$(taint_keys 2>"$OCM_LAB_TMP/err")"; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "could not read ManagedCluster $SPOKE_NAME's taints (output above)" \
        "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o yaml"
fi
case " $keys " in
*" $TAINT_KEY "*)
    log "already tainted $TAINT_KEY:NoSelect"
    exit 0
    ;;
esac

taint="{\"key\":\"$TAINT_KEY\",\"effect\":\"NoSelect\"}"
# A JSON patch appends to a list; with no list yet it adds one. Should the hub's taint controller add
# its own taint in between, "add /spec/taints" replaces the list and the controller puts its taint
# back on its next pass (it derives those taints from the cluster's conditions).
if [ -z "$keys" ]; then
    patch="[{\"op\":\"add\",\"path\":\"/spec/taints\",\"value\":[$taint]}]"
else
    patch="[{\"op\":\"add\",\"path\":\"/spec/taints/-\",\"value\":$taint}]"
fi
if ! kubectl --kubeconfig "$hub_kubeconfig" patch managedcluster "$SPOKE_NAME" --type=json -p "$patch" \
    >"$OCM_LAB_TMP/err" 2>&1; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "could not taint ManagedCluster $SPOKE_NAME with $TAINT_KEY:NoSelect (output above)" \
        "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o jsonpath='{.spec.taints}'"
fi
# Read back once: the patch is the API server's own write, which a read right after sees.
case " $(taint_keys 2>/dev/null || true) " in
*" $TAINT_KEY "*) log "tainted $TAINT_KEY:NoSelect: Placements that do not tolerate it pass this cluster over" ;;
*) fail "the patch returned but ManagedCluster $SPOKE_NAME has no taint $TAINT_KEY" \
    "kubectl --context $HUB_CONTEXT get managedcluster $SPOKE_NAME -o jsonpath='{.spec.taints}'" ;;
esac
