#!/usr/bin/env bash
set -euo pipefail
# Mints a fresh join token on the hub (valid one hour) for one spoke and prints clusteradm's JSON on
# stdout; the program keeps it as a secret. Reads HUB_NAME, HUB_CONTEXT, HUB_KUBECONFIG, SPOKE_NAME.
STEP=token CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env HUB_NAME HUB_CONTEXT HUB_KUBECONFIG SPOKE_NAME
hub_kubeconfig="$(secret_file hub.kubeconfig "$HUB_KUBECONFIG")"

# Only stderr is shown on failure: stdout may already hold a token. The token stays in memory (never
# a file) until it is printed to Pulumi, which stores it as a secret.
if ! token_json="$(clusteradm get token --kubeconfig "$hub_kubeconfig" -o json 2>"$OCM_LAB_TMP/err")"; then
    mask_secrets <"$OCM_LAB_TMP/err" >&2
    fail "clusteradm could not mint a join token on hub $HUB_NAME" \
        "clusteradm get token --context $HUB_CONTEXT >/dev/null && pulumi up"
fi
if ! [[ "$token_json" =~ \"hub-token\":\ *\"[^\"] ]]; then
    fail "clusteradm get token printed no hub-token" "clusteradm get token --context $HUB_CONTEXT -o json | grep -c hub-token"
fi
printf '%s\n' "$token_json"
