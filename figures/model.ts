/**
 * Reading the program's resource graph for people: a mermaid diagram per stack, and the critical
 * path (steps that must run one after another) with a modelled time to ready.
 */
import { nearestSteps } from "../cli/runRecord";
import { ProgramRun, Registration } from "../tests/harness/program";

const isStep = (r: Registration) => r.custom && !r.type.startsWith("pulumi:providers:");

/** Every step with the steps it waits for directly, providers looked through. */
function stepGraph(run: ProgramRun): Map<Registration, Registration[]> {
    return nearestSteps(run.resources, isStep, (r) => r.dependencies);
}

/** Drops an edge a → c when a already waits for c through another step (transitive reduction). */
function reduce(graph: Map<Registration, Registration[]>): Map<Registration, Registration[]> {
    const reach = new Map<Registration, Set<Registration>>();
    const reachable = (r: Registration): Set<Registration> => {
        if (!reach.has(r)) {
            const all = new Set<Registration>();
            for (const d of graph.get(r) ?? []) {
                all.add(d);
                reachable(d).forEach((x) => all.add(x));
            }
            reach.set(r, all);
        }
        return reach.get(r)!;
    };
    return new Map(
        [...graph].map(([r, deps]) => [
            r,
            deps.filter((d) => !deps.some((other) => other !== d && reachable(other).has(d))),
        ]),
    );
}

const shortType = (type: string) =>
    type
        .split(":")
        .pop()!
        .replace(/^index\//, "");
const componentOf = (run: ProgramRun, r: Registration) => run.resources.find((c) => c.urn === r.parent && !c.custom);

/** A mermaid flowchart: one box per component, one node per step, edges for direct waits. */
export function mermaid(run: ProgramRun): string {
    const graph = reduce(stepGraph(run));
    const id = (r: Registration) =>
        r.name.replace(/[^A-Za-z0-9]/g, "_") + "_" + shortType(r.type).replace(/[^A-Za-z0-9]/g, "");
    const label = (r: Registration) => `${id(r)}["${r.name}<br/><small>${shortType(r.type)}</small>"]`;
    const lines = ["graph LR"];
    const groups = new Map<string, Registration[]>();
    for (const r of graph.keys()) {
        const parent = componentOf(run, r);
        const group = parent ? `${parent.type.replace("ocm-lab:index:", "")} ${parent.name}` : "";
        groups.set(group, [...(groups.get(group) ?? []), r]);
    }
    for (const [group, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        if (group) {
            lines.push(`  subgraph ${group.replace(/[^A-Za-z0-9]/g, "_")}["${group}"]`);
        }
        for (const r of members.sort((a, b) => a.name.localeCompare(b.name))) {
            lines.push(`${group ? "    " : "  "}${label(r)}`);
        }
        if (group) {
            lines.push("  end");
        }
    }
    const edges = [...graph].flatMap(([r, deps]) => deps.map((d) => `  ${id(d)} --> ${id(r)}`));
    lines.push(...edges.sort());
    return lines.join("\n");
}

/** What the step does, for latencies: the name's last part (hub-init → init), or its type. */
export function stepKind(r: Registration): string {
    if (r.type !== "command:local:Command") {
        return shortType(r.type);
    }
    const known = [
        "cluster-info",
        "kubeconfig",
        "cluster",
        "init",
        "join",
        "accept",
        "addon-available",
        "guestbook-available",
        "available",
        "gitops-ready",
        "password-seeded",
        "smoke-ready",
    ];
    return known.find((k) => r.name.endsWith(`-${k}`)) ?? r.name;
}

export interface PathSummary {
    steps: number;
    /** Steps on the longest chain. */
    criticalSteps: number;
    /** Seconds along the slowest chain, with every step given `latency(step)`. */
    parallelSeconds: number;
    /** Seconds if every step ran one after another, as a shell script does. */
    sequentialSeconds: number;
}

export function summarise(run: ProgramRun, latency: (r: Registration) => number): PathSummary {
    const graph = stepGraph(run);
    const memo = new Map<Registration, { steps: number; seconds: number }>();
    const longest = (r: Registration): { steps: number; seconds: number } => {
        if (!memo.has(r)) {
            const before = (graph.get(r) ?? []).map(longest);
            memo.set(r, {
                steps: 1 + Math.max(0, ...before.map((b) => b.steps)),
                seconds: latency(r) + Math.max(0, ...before.map((b) => b.seconds)),
            });
        }
        return memo.get(r)!;
    };
    const all = [...graph.keys()];
    return {
        steps: all.length,
        criticalSteps: Math.max(...all.map((r) => longest(r).steps)),
        parallelSeconds: Math.max(...all.map((r) => longest(r).seconds)),
        sequentialSeconds: all.reduce((sum, r) => sum + latency(r), 0),
    };
}
