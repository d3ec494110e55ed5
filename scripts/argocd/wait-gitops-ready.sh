#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the add-on's GitOpsCluster reports the Argo CD server found, the spokes
# imported and the add-on configured, and Argo CD's default AppProject exists. Reads HUB_NAME,
# HUB_CONTEXT, HUB_KUBECONFIG, TIMEOUT_SECONDS.
STEP=argocd-ready CLUSTER="${HUB_NAME:-?}"
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
kc() { kubectl --kubeconfig "$hub_kubeconfig" "$@"; }

# The objects appear while the chart's operator and controller start: absent counts as not yet.
started="$SECONDS"
for condition in ServerDiscovered ClustersImported AddonConfigured; do
    left=$((TIMEOUT_SECONDS - (SECONDS - started)))
    if ! wait_for "GitOpsCluster gitops-cluster condition $condition" "$left" \
        condition_true "$hub_kubeconfig" gitopscluster gitops-cluster argocd "$condition"; then
        fail "GitOpsCluster gitops-cluster has no $condition=True within ${TIMEOUT_SECONDS}s" \
            "kubectl --context $HUB_CONTEXT get gitopscluster gitops-cluster -n argocd -o yaml"
    fi
done
project_exists() { kc get appproject default -n argocd -o name >/dev/null 2>&1; }
if ! wait_for "AppProject default" "$((TIMEOUT_SECONDS - (SECONDS - started)))" project_exists; then
    fail "Argo CD created no AppProject default within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get pods -n argocd"
fi
log "GitOpsCluster ready and AppProject default present"
