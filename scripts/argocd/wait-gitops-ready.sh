#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the add-on's GitOpsCluster reports the Argo CD server found, the spokes
# imported and the add-on configured. Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, TIMEOUT_SECONDS.
# The default AppProject need not exist yet: the program applies it (create or update).
STEP=argocd-ready CLUSTER="${HUB_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

# The objects appear while the chart's operator and controller start: absent counts as not yet.
started="$SECONDS"
for condition in ServerDiscovered ClustersImported AddonConfigured; do
    if ! wait_for "GitOpsCluster gitops-cluster condition $condition" "$(time_left "$started")" \
        condition_true "$hub_kubeconfig" gitopscluster gitops-cluster argocd "$condition"; then
        fail "GitOpsCluster gitops-cluster has no $condition=True within ${TIMEOUT_SECONDS}s" \
            "kubectl --context $HUB_CONTEXT get gitopscluster gitops-cluster -n argocd -o yaml"
    fi
done
log "GitOpsCluster ready"
