#!/usr/bin/env bash
set -euo pipefail
# Prints the Argo CD admin password from the secret the operator creates on the hub (stdout is the
# value; the program keeps it secret). Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, TIMEOUT_SECONDS.
STEP=argocd-password CLUSTER="${HUB_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG TIMEOUT_SECONDS
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

read_password() {
    kubectl --kubeconfig "$hub_kubeconfig" get secret argocd-cluster -n argocd \
        -o 'jsonpath={.data.admin\.password}' >"$OCM_LAB_TMP/password.b64" 2>/dev/null &&
        [ -s "$OCM_LAB_TMP/password.b64" ]
}
if ! wait_for "secret argocd-cluster" "$TIMEOUT_SECONDS" read_password; then
    fail "the Argo CD operator made no admin password within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get argocd,secrets -n argocd"
fi
base64 --decode <"$OCM_LAB_TMP/password.b64"
