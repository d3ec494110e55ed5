/**
 * The image cache after `destroy`: its volumes outlive every lab (components/imageCache.ts), so the
 * front door says they were kept, and removes them when asked (`--purge-cache`).
 */
import { cacheVolumeNames } from "../runtimes/mirrors";

/** Runs `docker <args>`; ok is false when docker exits non-zero. */
export type DockerRun = (args: string[]) => { ok: boolean; output: string };

/** The cache volumes that exist on this machine. */
export function existingCacheVolumes(docker: DockerRun): string[] {
    const listed = docker(["volume", "ls", "--format", "{{.Name}}"]);
    if (!listed.ok) {
        return [];
    }
    const present = new Set(listed.output.split("\n").map((line) => line.trim()));
    return cacheVolumeNames().filter((name) => present.has(name));
}

/** What `destroy` says of the cache it left in place, or nothing when there is none. */
export function keptCacheMessage(stack: string, volumes: string[]): string | undefined {
    if (volumes.length === 0) {
        return undefined;
    }
    return (
        `kept the image cache for the next lab (${volumes.length} docker volume(s): ${volumes.join(", ")}); ` +
        `to remove it too: npm run destroy -- ${stack} --purge-cache`
    );
}

/**
 * Removes every cache volume no container uses. A volume that another lab's mirror still mounts is
 * kept; the returned problems name that lab's container and the command that frees it.
 */
export function purgeCache(stack: string, docker: DockerRun): { removed: string[]; problems: string[] } {
    const removed: string[] = [];
    const problems: string[] = [];
    const again = `npm run destroy -- ${stack} --purge-cache`;
    for (const volume of existingCacheVolumes(docker)) {
        const result = docker(["volume", "rm", volume]);
        if (result.ok) {
            removed.push(volume);
            continue;
        }
        const users = docker(["ps", "-a", "--filter", `volume=${volume}`, "--format", "{{.Names}}"])
            .output.split("\n")
            .map((line) => line.trim())
            .filter((line) => line !== "");
        // A lab's mirror is named ocm-lab-<stack>-mirror-<registry> (runtimes/mirrors.ts labMirrors).
        const next = users.map((user) => {
            const lab = /^ocm-lab-(.+)-mirror-/.exec(user)?.[1];
            return lab ? `npm run destroy -- ${lab}` : `docker rm -f ${user}`;
        });
        problems.push(
            users.length > 0
                ? `purge-cache: ${volume} is kept: ${users.join(", ")} still uses it; next: ${[...new Set(next)].join(" && ")}, then ${again}`
                : `purge-cache: docker could not remove ${volume}: ${result.output.trim()}; next: docker volume rm ${volume}`,
        );
    }
    return { removed, problems };
}

/** A mirror of the lab, as `npm run status` finds it: its container's state in Docker. */
export interface MirrorState {
    registry: string;
    container: string;
    /** docker's State.Status (running, restarting, exited, …), or "missing". */
    status: string;
}

/**
 * `npm run status`'s lines about the image cache. A mirror that is not running is not a problem
 * for the lab (nodes then pull from the registry itself), so these lines inform and never fail.
 */
export function cacheStatusLines(mirrors: MirrorState[]): string[] {
    if (mirrors.length === 0) {
        return ["image cache: off"];
    }
    const down = mirrors.filter((m) => m.status !== "running");
    return [
        `image cache: ${mirrors.length - down.length} of ${mirrors.length} mirrors running`,
        ...down.map(
            (m) =>
                `image cache: ${m.container} is ${m.status}; nodes pull from ${m.registry} directly meanwhile ` +
                `(a mirror restarts until its registry answers); next: docker logs ${m.container}`,
        ),
    ];
}
