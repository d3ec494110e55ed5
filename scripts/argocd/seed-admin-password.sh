#!/usr/bin/env bash
set -euo pipefail
# Makes Argo CD's admin password the lab's own: the program applies it as admin.password of the
# secret argocd-cluster before the chart's ArgoCD CR exists, and the operator derives argocd-secret's
# bcrypt hash from it; it derives the hash again only where argocd-secret has none (argocd-operator
# v0.18.0, the release chart 0.28.1 installs: controllers/argocd/secret.go). So, once argocd-secret
# exists, this clears its hash and waits until the operator has set it again: on a first up that is
# the lab's password anyway, after a rotation it is the new one. Prints nothing secret. Reads
# HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, TIMEOUT_SECONDS.
STEP=argocd-password CLUSTER="${HUB_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"
started="$SECONDS"

hash_set() {
    [ -n "$(kubectl --kubeconfig "$hub_kubeconfig" get secret argocd-secret -n argocd \
        -o 'jsonpath={.data.admin\.password}' 2>/dev/null || true)" ]
}
if ! wait_for "the Argo CD operator to create secret argocd-secret" "$TIMEOUT_SECONDS" hash_set; then
    fail "the Argo CD operator made no argocd-secret within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get argocd,secrets -n argocd"
fi
if ! run_quiet clear-hash kubectl --kubeconfig "$hub_kubeconfig" patch secret argocd-secret -n argocd --type=merge \
    -p '{"data":{"admin.password":null,"admin.passwordMtime":null}}'; then
    fail "could not clear the admin password hash in argocd-secret (output above)" \
        "kubectl --context $HUB_CONTEXT get secret argocd-secret -n argocd -o yaml"
fi
if ! wait_for "the Argo CD operator to hash the lab's admin password" "$(time_left "$started")" hash_set; then
    fail "the Argo CD operator did not set the admin password from argocd-cluster within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT logs -n argocd-operator-system deploy/argocd-operator-controller-manager | tail -20"
fi
log "argocd-secret holds the hash of the lab's admin password"
