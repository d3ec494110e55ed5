/**
 * Checks made before any cluster is created. Each problem is one line: what is wrong and the
 * command that fixes it. Facts are gathered by lab.ts; deciding is pure, so it is tested alone.
 */
import { isLoopbackUrl, loopbackProblem, RuntimeName } from "../config";
import { versions } from "../versions";

export interface PreflightFacts {
    stack: string;
    runtime: RuntimeName;
    /** hub first, then spokes */
    clusterNames: string[];
    nodeImage: string;
    dockerReachable: boolean;
    /** Linux only; undefined elsewhere. */
    inotify?: { maxUserInstances: number; maxUserWatches: number };
    /** The runtime CLI's version on PATH (kind only matters). */
    kindVersion?: string;
    /** Clusters the runtime has now, by name. */
    existingClusters: string[];
    /** The listing that should have named them failed: what ran and what it said (see listedClusters). */
    listingFailed?: { command: string; said: string };
    /** Clusters this stack's state says it created. */
    ownedClusters: string[];
    /** The docker network the lab will create, and whether one of that name exists but is not this stack's. */
    network?: { name: string; takenByOther: boolean };
    /** Containers with the names of this lab's registry mirrors that this stack did not create. */
    strayMirrors?: string[];
    /** runtime existing: what kubectl says of each cluster's context, hub first. */
    contexts?: ContextFacts[];
    /** runtime existing: ocm-lab:hubApiServer, when set. */
    hubApiServer?: string;
}

export interface ContextFacts {
    cluster: string;
    context: string;
    /** The context is in the user's kubeconfig. */
    found: boolean;
    /** Its cluster's server, when found. */
    server?: string;
    /** `kubectl get --raw /readyz` through it succeeded. */
    answers: boolean;
}

/** kind's own advice for several clusters on one host (its known-issues page). */
export const inotifyNeeded = { maxUserInstances: 512, maxUserWatches: 524288 };

export function preflightProblems(f: PreflightFacts): string[] {
    if (f.runtime === "existing") {
        return existingProblems(f);
    }
    const problems: string[] = [];
    if (!f.dockerReachable) {
        problems.push(
            "Docker is not reachable (docker info failed): start Docker Desktop, or run sudo systemctl start docker, " +
                `then npm run up -- ${f.stack}`,
        );
    }
    if (f.runtime === "kind" && f.inotify && f.clusterNames.length >= 3) {
        const { maxUserInstances, maxUserWatches } = f.inotify;
        if (maxUserInstances < inotifyNeeded.maxUserInstances || maxUserWatches < inotifyNeeded.maxUserWatches) {
            problems.push(
                `inotify limits (max_user_instances=${maxUserInstances}, max_user_watches=${maxUserWatches}) are too low for ` +
                    `${f.clusterNames.length} kind clusters: sudo sysctl fs.inotify.max_user_instances=${inotifyNeeded.maxUserInstances} ` +
                    `fs.inotify.max_user_watches=${inotifyNeeded.maxUserWatches}`,
            );
        }
    }
    if (f.runtime === "kind" && f.nodeImage === versions.kindNodeImage && f.kindVersion !== versions.kindCli) {
        problems.push(
            `kind ${f.kindVersion ?? "(none)"} on PATH is not the release ${f.nodeImage} was built for (${versions.kindCli}): ` +
                `npm run up installs ${versions.kindCli} into .tools/bin; or set an image built for your kind: ` +
                `pulumi config set ocm-lab:kindNodeImage <image> -s ${f.stack}`,
        );
    }
    // With Docker down the listing fails too, and the line above already says what to do.
    if (f.listingFailed && f.dockerReachable) {
        const { command, said } = f.listingFailed;
        problems.push(
            `could not list the ${f.runtime} clusters on this machine (${command} failed: ${said}), so preflight cannot ` +
                `tell whether a cluster of this lab's names is someone else's: run ${command} to see why, ` +
                `then npm run up -- ${f.stack}`,
        );
    }
    const remove = f.runtime === "kind" ? "kind delete cluster --name" : "k3d cluster delete";
    for (const name of f.clusterNames) {
        if (f.existingClusters.includes(name) && !f.ownedClusters.includes(name)) {
            const key = name === f.clusterNames[0] ? "ocm-lab:hubName" : "--path 'ocm-lab:spokes[N]'";
            problems.push(
                `a ${f.runtime} cluster named ${name} exists and this stack did not create it: ` +
                    `${remove} ${name}, or give the lab's another name: pulumi config set ${key} <name> -s ${f.stack}`,
            );
        }
    }
    if (f.network?.takenByOther) {
        problems.push(
            `a docker network named ${f.network.name} exists and this stack did not create it ` +
                `(made by hand, or left by an earlier lab): docker network rm ${f.network.name}, ` +
                `or run the lab under another stack name`,
        );
    }
    if (f.strayMirrors && f.strayMirrors.length > 0) {
        problems.push(
            `container(s) ${f.strayMirrors.join(", ")} exist and this stack did not create them (left by an earlier lab ` +
                `of this name): docker rm -f ${f.strayMirrors.join(" ")} (the image cache's volumes keep what they cached), ` +
                `or turn the cache off: pulumi config set ocm-lab:imageCache false -s ${f.stack}`,
        );
    }
    return problems;
}

/**
 * runtime existing: every context is in the user's kubeconfig and its cluster answers, and the hub
 * address klusterlets will be handed is not a loopback one. Docker plays no part.
 */
function existingProblems(f: PreflightFacts): string[] {
    const problems: string[] = [];
    for (const c of f.contexts ?? []) {
        const setContext = `pulumi config set --path 'ocm-lab:contexts.${c.cluster}' <context> -s ${f.stack}`;
        if (!c.found) {
            problems.push(
                `context ${c.context} (cluster ${c.cluster}) is not in your kubeconfig (KUBECONFIG or ~/.kube/config): ` +
                    `kubectl config get-contexts, then ${setContext}`,
            );
        } else if (!c.answers) {
            problems.push(
                `the cluster of context ${c.context} (cluster ${c.cluster}, ${c.server ?? "no server"}) does not answer: ` +
                    `kubectl --context ${c.context} get --raw /readyz, then npm run up -- ${f.stack}`,
            );
        }
    }
    const hub = f.contexts?.[0];
    if (!f.hubApiServer && hub?.server && isLoopbackUrl(hub.server)) {
        problems.push(loopbackProblem(`the server of the hub's context ${hub.context}`, hub.server) + ` -s ${f.stack}`);
    }
    return problems;
}

/** Whether this stack's exported state holds a docker object of that type and name (it created it). */
export function ownsDockerObject(stackExport: string, kind: "network" | "container", name: string): boolean {
    const type = kind === "network" ? "docker:index/network:Network" : "docker:index/container:Container";
    const state = JSON.parse(stackExport) as {
        deployment?: { resources?: { type?: string; outputs?: { name?: string } }[] };
    };
    return (state.deployment?.resources ?? []).some((r) => r.type === type && r.outputs?.name === name);
}

/** Whether this stack's exported state holds a docker network of that name (it created it). */
export const ownsNetwork = (stackExport: string, networkName: string) =>
    ownsDockerObject(stackExport, "network", networkName);

/** Names of the hub and spokes this stack's exported state holds. */
export function ownedClusterNames(stackExport: string): string[] {
    const state = JSON.parse(stackExport) as { deployment?: { resources?: { urn: string }[] } };
    return (state.deployment?.resources ?? [])
        .map((r) => /::ocm-lab:index:(?:HubCluster|SpokeCluster)::([^:]+)$/.exec(r.urn)?.[1])
        .filter((name): name is string => name !== undefined);
}

/** What a runtime CLI call gave: its exit status and what it printed. */
export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
    error?: Error;
}

/** The command that lists a runtime's clusters on this machine. */
export const listingCommand = (runtime: "kind" | "k3d"): string[] =>
    runtime === "kind" ? ["kind", "get", "clusters"] : ["k3d", "cluster", "list", "-o", "json"];

/**
 * The cluster names a listing (listingCommand) printed, or why it named none: a listing that did not
 * run, exited non-zero or printed what is not its format is a failure, never an empty machine.
 * kind prints one name a line (and "No kind clusters found." on stderr when there is none); k3d
 * v5.8.3 prints one JSON array of clusters, each with its "name" (cmd/cluster/clusterList.go:104-173).
 */
export function listedClusters(
    runtime: "kind" | "k3d",
    result: CliResult,
): { names: string[] } | { failed: { command: string; said: string } } {
    const command = listingCommand(runtime).join(" ");
    const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";
    if (result.error || result.status !== 0) {
        const said = result.error?.message ?? (lastLine(result.stderr) || `exit status ${result.status}`);
        return { failed: { command, said } };
    }
    if (runtime === "kind") {
        return {
            names: result.stdout
                .split("\n")
                .map((line) => line.trim())
                .filter((line) => line !== ""),
        };
    }
    try {
        const clusters = JSON.parse(result.stdout) as unknown;
        if (Array.isArray(clusters) && clusters.every((c) => typeof c?.name === "string")) {
            return { names: clusters.map((c: { name: string }) => c.name) };
        }
    } catch {
        // not JSON: said below
    }
    return {
        failed: { command, said: `it printed no JSON list of clusters: ${lastLine(result.stdout) || "(nothing)"}` },
    };
}
