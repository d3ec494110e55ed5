#!/usr/bin/env bash
set -euo pipefail
# runtime existing, when a cluster's connect step is deleted: removes the private files the lab's
# kubernetes providers read that cluster's credentials from (scripts/settings.ts credentialsDir).
# The cluster is the user's, and their kubeconfig too: both stay. Reads CLUSTER_NAME.
STEP=disconnect CLUSTER="${CLUSTER_NAME:-?}"
# shellcheck source=../lib.sh
. "${BASH_SOURCE[0]%/*}/../lib.sh"
require_env CLUSTER_NAME

forget_credentials
log "the lab's copy of its credentials is removed; the cluster and your kubeconfig stay"
