#!/usr/bin/env bash
# Room on a GitHub-hosted runner for a lab (.github/workflows/e2e.yml).
#
#   runner-room.sh before   free what the lab never uses, then show the disk and memory left
#   runner-room.sh after    show what the lab took since `before`
#
# Both write to the job summary, so each run measures what the lab needs; docs/tests.md ("Pull requests
# and real clusters") compares it with what the runner has.
set -euo pipefail

# An estimate until runs measure it: three clusters' node images and their containerd copies of
# the OCM and Argo CD images, the mirror volumes, Go caches, two node_modules and the Pulumi plugins.
need_disk_gb=12
need_memory_gb=6

summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
mark="${RUNNER_TEMP:-/tmp}/runner-room-before"

free_disk_gb() { df --output=avail -BG / | tail -n 1 | tr -dc 0-9; }
free_memory_gb() { free -g | awk '/^Mem:/ { print $7 }'; }

case "${1:-}" in
    before)
        df -h /
        # Preinstalled SDKs the lab never touches (.NET, Android, Haskell, CodeQL), and the docker
        # images the runner image ships with: several GB each on ubuntu-latest.
        sudo rm -rf /usr/share/dotnet /usr/local/lib/android /opt/ghc /usr/local/.ghcup /opt/hostedtoolcache/CodeQL
        docker image prune --all --force >/dev/null
        df -h /
        free -h
        disk="$(free_disk_gb)"
        memory="$(free_memory_gb)"
        echo "$disk" >"$mark"
        {
            echo "### Room on the runner before up"
            echo
            echo "- disk free on /: ${disk} GB (the lab needs about ${need_disk_gb} GB, an estimate)"
            echo "- memory available: ${memory} GB (the lab needs about ${need_memory_gb} GB, an estimate)"
        } >>"$summary"
        if [ "$disk" -lt "$need_disk_gb" ]; then
            echo "::warning title=little disk::${disk} GB free on /, the lab needs about ${need_disk_gb} GB"
        fi
        if [ "$memory" -lt "$need_memory_gb" ]; then
            echo "::warning title=little memory::${memory} GB available, the lab needs about ${need_memory_gb} GB"
        fi
        ;;
    after)
        df -h /
        free -h
        disk="$(free_disk_gb)"
        before="$(cat "$mark" 2>/dev/null || echo "$disk")"
        {
            echo "### Room the lab took"
            echo
            echo "- disk: $((before - disk)) GB since before up (${disk} GB left)"
            echo "- memory: $(free -g | awk '/^Mem:/ { print $3 }') GB in use ($(free_memory_gb) GB available)"
        } >>"$summary"
        ;;
    *)
        echo "usage: runner-room.sh before|after" >&2
        exit 2
        ;;
esac
