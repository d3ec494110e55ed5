#!/usr/bin/env bash
# What a maintainer needs to see why a lab on a runner failed (.github/workflows/e2e.yml).
#
#   diagnostics.sh lab <checkout> <out dir>          a kind or k3d lab of $STACK, seen from each node
#   diagnostics.sh contexts <out dir> <context>...   a user's own clusters, by kubectl context
#
# Every `kubectl get` names one resource type: a list of types (`get klusterlet,pods`) stops at the
# first type the cluster does not have, a CRD that was never installed, and then lists nothing else,
# the pods least of all. It collects what it can and never fails the job itself.
set -uo pipefail

# Types worth a look on any cluster of the lab; each one missing only prints its own error.
types=(
    clustermanagers klusterlets managedclusters certificatesigningrequests managedclusteraddons
    manifestworks appliedmanifestworks applications.argoproj.io applicationsets.argoproj.io
    gitopsclusters.apps.open-cluster-management.io pods events
)
# The ones whose conditions explain a failure, in full.
detailed=(clustermanagers klusterlets managedclusters managedclusteraddons)

# get_each <file> <output format> <kubectl command and its flags>... -- <type>...
get_each() {
    local file="$1" format="$2"
    shift 2
    local kubectl=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
        kubectl+=("$1")
        shift
    done
    shift
    : >"$file"
    local type
    for type in "$@"; do
        echo "### kubectl get $type -A -o $format" >>"$file"
        "${kubectl[@]}" get "$type" -A -o "$format" >>"$file" 2>&1 || true
        echo >>"$file"
    done
}

# cluster <out dir> <name> <kubectl command and its flags>...
cluster() {
    local out="$1" name="$2"
    shift 2
    get_each "$out/$name.txt" wide "$@" -- "${types[@]}"
    get_each "$out/$name.yaml" yaml "$@" -- "${detailed[@]}"
}

machine() {
    local out="$1"
    {
        echo "### df -h"
        df -h
        echo
        echo "### free -m"
        free -m
        echo
        echo "### docker ps -a"
        docker ps -a
        echo
        echo "### docker network ls"
        docker network ls
        echo
        echo "### docker volume ls"
        docker volume ls
    } >"$out/machine.txt" 2>&1
}

lab() {
    local checkout="$1" out="$2"
    mkdir -p "$out"
    # the run records and step timings of that checkout's runs
    cp -r "$checkout/.ocm-lab" "$out/ocm-lab" 2>/dev/null || true
    machine "$out"
    # Each node's own view, from inside it: it needs no kubeconfig from the stack, so it works even
    # when the up failed before the stack had outputs. kind nodes keep an admin kubeconfig; k3s's
    # kubectl needs none.
    local node
    for node in $(docker ps --format '{{.Names}}' | grep -E -e '-control-plane$' -e '^k3d-.*-server-0$'); do
        if [ "${STACK:?}" = kind ]; then
            cluster "$out" "node-$node" docker exec "$node" kubectl --kubeconfig /etc/kubernetes/admin.conf
        else
            cluster "$out" "node-$node" docker exec "$node" kubectl
        fi
    done
}

contexts() {
    local out="$1"
    shift
    mkdir -p "$out"
    cp -r .ocm-lab "$out/ocm-lab" 2>/dev/null || true
    machine "$out"
    local context
    for context in "$@"; do
        cluster "$out" "context-$context" kubectl --context "$context"
    done
}

case "${1:-}" in
    lab) lab "$2" "$3" ;;
    contexts) contexts "${@:2}" ;;
    *)
        echo "usage: diagnostics.sh lab <checkout> <out dir> | contexts <out dir> <context>..." >&2
        exit 2
        ;;
esac
