#!/usr/bin/env bash
set -euo pipefail
# Deletes one k3d cluster; succeeds when it is already gone (deleted by hand), and only when k3d
# says so: any other failure to look it up is an error. Reads CLUSTER_NAME and
# NETWORK_NAME.
STEP=delete CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME

require_docker
# One lookup is enough: a delete runs only for a cluster whose create finished (the engine keeps
# nothing else in its state), so one not found now was deleted by hand.
case "$(k3d_lookup "$CLUSTER_NAME")" in
missing)
    log "k3d cluster is already gone"
    forget_credentials
    exit 0
    ;;
unknown)
    cat "$OCM_LAB_TMP/k3d-get.log" >&2
    fail "k3d could not look the cluster up (output above); it stays in the lab's state" \
        "k3d cluster list, then run the same pulumi command again"
    ;;
esac
# A step stored by a version of the lab from before its clusters joined the lab's network has none.
if [ -z "${NETWORK_NAME:-}" ]; then
    fail "this cluster step was made by a version of the lab older than the lab's network, so whether the cluster is the lab's cannot be told; it was left untouched" \
        "k3d cluster delete $CLUSTER_NAME if it is the lab's, then run the same command again"
fi
# Deleted only with the lab's mark (lib.sh lab_mark): a same-named cluster the lab did not make
# (one an earlier version kept when it found it, say) is left, and stays in the lab's state.
require_lab_mark "k3d-$CLUSTER_NAME-server-0" "k3d cluster delete $CLUSTER_NAME" \
    "if that cluster should go, k3d cluster delete $CLUSTER_NAME yourself; to keep it, take it out of the lab's state instead: pulumi state delete URN (pulumi stack --show-urns shows the URN of ${OCM_LAB_STEP:-the cluster step}); then run the same command again"
if ! run_quiet k3d-delete k3d cluster delete "$CLUSTER_NAME"; then
    fail "k3d could not delete the cluster (output above)" "k3d cluster delete $CLUSTER_NAME"
fi
forget_credentials
log "deleted"
