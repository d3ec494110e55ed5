# Shared by every step script, which sources it from its folder. Reads STEP and CLUSTER (set by each
# step) for messages, and sets TIMEOUT_SECONDS from the stack's settings file (scripts/settings.ts).
# A step the program runs (OCM_LAB_STEP set) adds one line to the stack's steps.jsonl when it ends:
# its name, script, start, end and exit code, nothing else (cli/runRecord.ts reads it).
# shellcheck shell=bash

# Milliseconds since the epoch; whole seconds where date has no %N (macOS).
ocm_lab_now() {
    local now
    now="$(date +%s%3N)"
    case "$now" in *[!0-9]*) now="$(date +%s)000" ;; esac
    printf '%s' "$now"
}
OCM_LAB_STARTED="$(ocm_lab_now)"

# A private folder for kubeconfigs, CA files and tool logs; removed however the step ends, or, when
# the step itself was killed (an interrupted `pulumi up` kills the interpreter: pulumi-command v1.2.1
# runs it with exec.CommandContext), by the next step of the run: the folder names the pid it belonged
# to. (A run killed outright leaves its whole TMPDIR, which the next run removes: cli/lab.ts.) Only
# this user's folders: another user's live step looks dead to kill -0.
umask 077
for ocm_lab_stale in "${TMPDIR:-/tmp}"/ocm-lab.[0-9]*.*; do
    ocm_lab_pid="${ocm_lab_stale##*/ocm-lab.}"
    ocm_lab_pid="${ocm_lab_pid%%.*}"
    if [ -d "$ocm_lab_stale" ] && [ -O "$ocm_lab_stale" ] && ! kill -0 "$ocm_lab_pid" 2>/dev/null; then
        rm -rf "$ocm_lab_stale" || true
    fi
done
OCM_LAB_TMP="$(mktemp -d "${TMPDIR:-/tmp}/ocm-lab.$$.XXXXXX")"
ocm_lab_exit() {
    local code=$?
    rm -rf "$OCM_LAB_TMP"
    if [ -n "${OCM_LAB_STEP:-}" ] && [ -n "${OCM_LAB_SETTINGS:-}" ] && [ -d "${OCM_LAB_SETTINGS%/*}" ]; then
        printf '{"step":"%s","script":"%s","start":%s,"end":%s,"exit":%s}\n' "$OCM_LAB_STEP" \
            "${OCM_LAB_SCRIPT#*scripts/}" "$OCM_LAB_STARTED" "$(ocm_lab_now)" "$code" \
            >>"${OCM_LAB_SETTINGS%/*}/steps.jsonl" || true
    fi
    return "$code"
}
OCM_LAB_SCRIPT="${BASH_SOURCE[1]:-?}"
trap ocm_lab_exit EXIT
trap 'exit 130' INT TERM

log() {
    printf 'ocm-lab: %s %s: %s\n' "${STEP:-step}" "${CLUSTER:-?}" "$*" >&2
}

# fail MESSAGE NEXT_COMMAND: one line saying what failed for which cluster, one with what to run next.
fail() {
    printf 'ocm-lab: %s failed for cluster %s: %s\n  next: %s\n' "${STEP:-step}" "${CLUSTER:-?}" "$1" "$2" >&2
    exit 1
}

require_env() {
    local name
    for name in "$@"; do
        if [ -z "${!name:-}" ]; then
            fail "environment variable $name is empty" "report this as a bug in ocm-lab; the program sets $name"
        fi
    done
}

# secret_file NAME CONTENT: writes CONTENT to a private file and prints its path.
secret_file() {
    printf '%s\n' "$2" >"$OCM_LAB_TMP/$1"
    printf '%s' "$OCM_LAB_TMP/$1"
}

# Tool output can hold join tokens (clusteradm prints a ready join command): hide them before showing it.
mask_secrets() {
    sed -E -e 's/(--hub-token[ =])[^[:space:]]+/\1***/g' \
        -e 's/(token[=:] *)[^[:space:]]+/\1***/g' \
        -e 's/eyJ[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*/***/g'
}

# require_docker: stops the step unless the Docker engine answers. A delete step that could not ask
# would otherwise take "no such cluster" for an answer and drop a live cluster from Pulumi's state.
# Asked once: an engine that does not answer is down for this step, and the step says to start it.
require_docker() {
    if ! docker info >/dev/null 2>&1; then
        fail "Docker is not reachable, so whether the cluster still exists is unknown; it stays in the lab's state" \
            "start Docker (docker info must answer), then run the same pulumi command again"
    fi
}

# The mark of the lab's own clusters: the runtime's create puts every node of a lab cluster on the
# lab's docker network, NETWORK_NAME (ocm-lab-<stack>, runtimes/names.ts; kind through
# KIND_EXPERIMENTAL_DOCKER_NETWORK, k3d through --network), from the moment the node container is
# made, so a create cut short carries it too. Only this lab makes that network, and docker refuses a
# second network of the name while it exists. A same-named cluster made any other way is on the
# runtime's own network (kind's `kind`, k3d's `k3d-<name>`) unless someone attached it by hand.
# lab_mark NODE_CONTAINER: prints "ours" when that node is on NETWORK_NAME, "theirs" when it is
# not, and "unknown" when docker could not inspect it (the reason is in $OCM_LAB_TMP/inspect.log).
lab_mark() {
    local networks
    if ! networks="$(docker inspect --type container \
        -f '{{range $name, $endpoint := .NetworkSettings.Networks}}{{println $name}}{{end}}' "$1" \
        2>"$OCM_LAB_TMP/inspect.log")"; then
        printf 'unknown'
    elif [[ $'\n'"$networks"$'\n' == *$'\n'"$NETWORK_NAME"$'\n'* ]]; then
        printf 'ours'
    else
        printf 'theirs'
    fi
}

# require_lab_mark NODE_CONTAINER DELETE_COMMAND NEXT: stops the step, touching nothing, unless the
# cluster of that node carries the lab's mark. NEXT is what to do about a cluster that is not the
# lab's; DELETE_COMMAND removes the cluster, for when it cannot be told.
require_lab_mark() {
    case "$(lab_mark "$1")" in
    ours) return 0 ;;
    theirs)
        fail "a cluster named $CLUSTER_NAME is on this machine, but its node $1 is not on the lab's network $NETWORK_NAME, so this lab did not make it; it was left untouched" "$3"
        ;;
    *)
        cat "$OCM_LAB_TMP/inspect.log" >&2
        fail "could not tell whether the cluster named $CLUSTER_NAME on this machine is the lab's: docker inspect $1 failed (output above); it was left untouched" \
            "docker inspect $1; if it is a half-made cluster of the lab's, $2, then run the same pulumi command again"
        ;;
    esac
}

# k3d_lookup NAME: prints "found" or "missing" as `k3d cluster get NAME` answers, or "unknown" when
# k3d could not ask the engine (its output is then in $OCM_LAB_TMP/k3d-get.log). k3d v5.8.3 says "No
# nodes found for given cluster" for a missing cluster, but also after "Failed to get nodes" from an
# engine it cannot ask (pkg/client/cluster.go ClusterGet): only the first alone means missing.
k3d_lookup() {
    if k3d cluster get "$1" >"$OCM_LAB_TMP/k3d-get.log" 2>&1; then
        printf 'found'
    elif grep "No nodes found for given cluster" "$OCM_LAB_TMP/k3d-get.log" >/dev/null &&
        ! grep "Failed to get nodes" "$OCM_LAB_TMP/k3d-get.log" >/dev/null; then
        printf 'missing'
    else
        printf 'unknown'
    fi
}

# forget_credentials: removes the private files the lab's kubernetes providers read this cluster's
# credentials from (scripts/settings.ts credentialsDir), once the cluster is gone.
forget_credentials() {
    if [ -n "${OCM_LAB_SETTINGS:-}" ]; then
        rm -rf "${OCM_LAB_SETTINGS%/*}/credentials/$CLUSTER_NAME"
    fi
}

# Every wait's bound, from the file `pulumi up` writes (OCM_LAB_SETTINGS); a script run by hand
# without that variable keeps the TIMEOUT_SECONDS of its environment.
if [ -n "${OCM_LAB_SETTINGS:-}" ]; then
    TIMEOUT_SECONDS=""
    if [ -r "$OCM_LAB_SETTINGS" ]; then
        TIMEOUT_SECONDS="$(sed -n 's/^TIMEOUT_SECONDS=\([0-9][0-9]*\)$/\1/p' "$OCM_LAB_SETTINGS")"
    fi
    if [ -z "$TIMEOUT_SECONDS" ]; then
        TIMEOUT_SECONDS=300
        log "no wait bound in $OCM_LAB_SETTINGS (pulumi up writes it); waiting up to ${TIMEOUT_SECONDS}s"
    fi
fi

# run_quiet LOG_NAME COMMAND...: runs a tool with its output kept in a private log, masked on the
# way to disk (a token is never written in clear); on failure the log goes to stderr and the tool's
# exit code is returned.
run_quiet() {
    local log_file="$OCM_LAB_TMP/$1.log" rc=0
    shift
    { "$@" 2>&1 | mask_secrets >"$log_file"; rc="${PIPESTATUS[0]}"; } || true
    if [ "$rc" -ne 0 ]; then
        cat "$log_file" >&2
    fi
    return "$rc"
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND until it succeeds or the time runs
# out, saying what it waits for and the time left. Returns 1 on timeout.
wait_for() {
    local description="$1" timeout="$2" started="$SECONDS" last_report=-1 left
    shift 2
    while true; do
        if "$@"; then
            return 0
        fi
        left=$((timeout - (SECONDS - started)))
        if [ "$left" -le 0 ]; then
            return 1
        fi
        if [ $((SECONDS - last_report)) -ge 30 ] || [ "$last_report" -lt 0 ]; then
            log "waiting for $description (${left}s left)"
            last_report="$SECONDS"
        fi
        sleep "${OCM_LAB_POLL_SECONDS:-5}"
    done
}

# time_left STARTED: the seconds of TIMEOUT_SECONDS left since $SECONDS was STARTED, at least 1, for a
# step that waits for more than one thing within one bound.
time_left() {
    local left=$((TIMEOUT_SECONDS - (SECONDS - $1)))
    if [ "$left" -lt 1 ]; then left=1; fi
    printf '%s' "$left"
}

# Sets QOS_FLAGS from QOS_CLASS, QOS_LIMITS and QOS_REQUESTS ("cpu=500m,memory=512Mi" or empty):
# the same resource settings for clusteradm init and join.
set_qos_flags() {
    QOS_FLAGS=(--resource-qos-class "${QOS_CLASS:-Default}")
    if [ -n "${QOS_LIMITS:-}" ]; then QOS_FLAGS+=(--resource-limits "$QOS_LIMITS"); fi
    if [ -n "${QOS_REQUESTS:-}" ]; then QOS_FLAGS+=(--resource-requests "$QOS_REQUESTS"); fi
}

# condition_true KUBECONFIG KIND NAME NAMESPACE TYPE: the object's status condition TYPE is True.
# An object that does not exist yet counts as not True, so waits can start before it is created.
# NAMESPACE is empty for cluster-scoped kinds.
condition_true() {
    local jsonpath="jsonpath={.status.conditions[?(@.type==\"$5\")].status}" status
    if [ -n "$4" ]; then
        status="$(kubectl --kubeconfig "$1" get "$2" "$3" -n "$4" -o "$jsonpath" 2>/dev/null || true)"
    else
        status="$(kubectl --kubeconfig "$1" get "$2" "$3" -o "$jsonpath" 2>/dev/null || true)"
    fi
    [ "$status" = "True" ]
}

# klusterlet_where: sets KLUSTERLET_FILE, a private kubeconfig of the cluster the spoke's klusterlet
# runs on (KLUSTERLET_KUBECONFIG where the program gives one: the hub for a hosted spoke or the hub
# itself, the user's cluster for runtime existing; else the spoke's own), KLUSTERLET_AT, its context,
# and AGENT_NAMESPACE, where its agents and their secrets live: open-cluster-management-agent, or for a
# hosted klusterlet the namespace named after it (empty while there is none). Reads SPOKE_NAME,
# SPOKE_CONTEXT, SPOKE_KUBECONFIG, KLUSTERLET_MODE and those two.
# shellcheck disable=SC2034 # set for the scripts that source this
klusterlet_where() {
    if [ -n "${KLUSTERLET_KUBECONFIG:-}" ]; then
        KLUSTERLET_FILE="$(secret_file klusterlet-host.kubeconfig "$KLUSTERLET_KUBECONFIG")"
        KLUSTERLET_AT="$KLUSTERLET_CONTEXT"
    else
        KLUSTERLET_FILE="$(secret_file klusterlet-host.kubeconfig "$SPOKE_KUBECONFIG")"
        KLUSTERLET_AT="$SPOKE_CONTEXT"
    fi
    AGENT_NAMESPACE=open-cluster-management-agent
    if [ "${KLUSTERLET_MODE:-default}" = hosted ]; then
        AGENT_NAMESPACE="$(hosted_klusterlet "$KLUSTERLET_FILE")"
    fi
}

# hosted_klusterlet KUBECONFIG: the hosted klusterlet on that cluster that registers SPOKE_NAME, if any.
# A hosted klusterlet gets a new random name at every join (klusterlet-hosted-<6 characters>,
# clusteradm v1.3.1 pkg/cmd/join/exec.go).
hosted_klusterlet() {
    kubectl --kubeconfig "$1" get klusterlets.operator.open-cluster-management.io \
        -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.clusterName}{"\n"}{end}' 2>/dev/null |
        awk -v cluster="$SPOKE_NAME" '$2 == cluster { print $1; exit }' || true
}

# hub_certificate_held: the klusterlet holds the client certificate the hub signed for it: its
# hub-kubeconfig-secret has tls.crt (ocm v1.3.1 pkg/registration/register/secret_controller.go, written
# once its CSR is approved and signed). Needs klusterlet_where.
hub_certificate_held() {
    [ -n "$AGENT_NAMESPACE" ] &&
        [ -n "$(kubectl --kubeconfig "$KLUSTERLET_FILE" get secret hub-kubeconfig-secret -n "$AGENT_NAMESPACE" \
            -o 'jsonpath={.data.tls\.crt}' 2>/dev/null || true)" ]
}
