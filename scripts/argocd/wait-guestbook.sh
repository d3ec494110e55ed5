#!/usr/bin/env bash
set -euo pipefail
# Waits, bounded, until the guestbook app Argo CD delivered is running on one spoke: its Deployment
# is Available there. Reads SPOKE_NAME, SPOKE_CONTEXT, SPOKE_KUBECONFIG, HUB_CONTEXT, TIMEOUT_SECONDS.
STEP=guestbook CLUSTER="${SPOKE_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env SPOKE_NAME SPOKE_CONTEXT SPOKE_KUBECONFIG HUB_CONTEXT TIMEOUT_SECONDS
spoke_kubeconfig="$(secret_file spoke.kubeconfig "$SPOKE_KUBECONFIG")"

if ! wait_for "deployment guestbook-ui on $SPOKE_NAME" "$TIMEOUT_SECONDS" \
    condition_true "$spoke_kubeconfig" deployment guestbook-ui guestbook Available; then
    fail "guestbook did not become Available on $SPOKE_NAME within ${TIMEOUT_SECONDS}s" \
        "kubectl --context $HUB_CONTEXT get applications -A | grep $SPOKE_NAME; kubectl --context $SPOKE_CONTEXT get all -n guestbook"
fi
log "guestbook Available"
