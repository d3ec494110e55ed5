/**
 * What an `up` took, measured by the steps themselves: each step adds a line to the stack's
 * steps.jsonl when it ends (scripts/lib.sh). `npm run up` turns the lines of its own run into a
 * run record (.ocm-lab/<stack>/runs/<time>.json) and prints a short summary; `npm run bench -- --run
 * <record>` holds a record against the model. Nothing secret is in either: names, scripts, times and
 * exit codes only.
 */
import * as fs from "fs";
import * as path from "path";
import { stepSettingsPath } from "../scripts/settings";

/**
 * For each resource `isStep` accepts, the steps it waits for directly: the URNs `waitsOn` gives,
 * looked through every resource that is not a step (providers, components, and whatever else the
 * caller does not count as a step). Used below for a run's record, and by figures/model.ts for the
 * modelled graph.
 */
export function nearestSteps<R extends { urn: string }>(
    resources: R[],
    isStep: (r: R) => boolean,
    waitsOn: (r: R) => string[],
): Map<R, R[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stepsBehind = (urn: string, seen: Set<string>): R[] => {
        const r = byUrn.get(urn);
        if (!r || seen.has(urn)) {
            return [];
        }
        seen.add(urn);
        return isStep(r) ? [r] : waitsOn(r).flatMap((d) => stepsBehind(d, seen));
    };
    return new Map(
        resources.filter(isStep).map((r) => {
            const seen = new Set<string>();
            return [r, [...new Set(waitsOn(r).flatMap((d) => stepsBehind(d, seen)))]];
        }),
    );
}

export interface StepTiming {
    /** The resource name, e.g. "spoke1-join". */
    step: string;
    /** The script below scripts/, e.g. "join.sh". */
    script: string;
    /** Milliseconds since the epoch. */
    start: number;
    end: number;
    exit: number;
}

export interface RunRecord {
    stack: string;
    command: string;
    /** Milliseconds since the epoch. */
    started: number;
    ended: number;
    steps: StepTiming[];
    /** The most resource operations the engine had under way at once, from its events (front door runs). */
    maxConcurrentOperations?: number;
}

/** The folder that holds the stack's steps.jsonl and runs/, beside its step settings. */
export const stackFolder = (stack: string) => path.dirname(stepSettingsPath(stack));

/** The step lines of a stack that started at or after `since` (lines that do not parse are skipped). */
export function readStepTimings(stack: string, since: number): StepTiming[] {
    const file = path.join(stackFolder(stack), "steps.jsonl");
    if (!fs.existsSync(file)) {
        return [];
    }
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line) => {
            try {
                const t = JSON.parse(line) as StepTiming;
                return typeof t.step === "string" && typeof t.start === "number" && typeof t.end === "number"
                    ? [t]
                    : [];
            } catch {
                return [];
            }
        })
        .filter((t) => t.start >= since)
        .sort((a, b) => a.start - b.start);
}

/** Writes the record under .ocm-lab/<stack>/runs/ and returns its path. */
export function writeRunRecord(record: RunRecord): string {
    const dir = path.join(stackFolder(record.stack), "runs");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${new Date(record.started).toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
    return file;
}

export interface RunSummary {
    totalSeconds: number;
    /** From the first step to the last to end, each waiting on the one before, as it happened. */
    criticalPath: StepTiming[];
    slowest?: StepTiming;
    /** Seconds from the start of the run until each spoke's Available wait ended. */
    availableAfter: Record<string, number>;
    /** The most steps that were running at one moment. */
    maxConcurrentSteps: number;
}

/** The most intervals [start, end) that overlap at one moment. */
export function maxOverlap(steps: { start: number; end: number }[]): number {
    const edges = steps.flatMap((s) => [
        { at: s.start, delta: 1 },
        { at: s.end, delta: -1 },
    ]);
    // At equal times an end comes first: a step that starts as another ends does not overlap it.
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let most = 0;
    for (const edge of edges) {
        running += edge.delta;
        most = Math.max(most, running);
    }
    return most;
}

const seconds = (ms: number) => ms / 1000;

/** A resource as `pulumi stack export` stores it (and as the test harness registers it). */
export interface StateResource {
    urn: string;
    type: string;
    dependencies?: string[];
    /** "<provider urn>::<id>" */
    provider?: string;
}

/** A resource's name, the last part of its URN. */
export const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const isCommand = (r: StateResource) => r.type === "command:local:Command";

/**
 * For each step (Command), the steps it waits for: its dependencies and its provider's, looked
 * through resources that are not steps (providers, Kubernetes objects, components).
 */
export function stepDependencies(resources: StateResource[]): Record<string, string[]> {
    const waitsOn = (r: StateResource) => [
        ...(r.dependencies ?? []),
        ...(r.provider ? [r.provider.slice(0, r.provider.lastIndexOf("::"))] : []),
    ];
    return Object.fromEntries(
        [...nearestSteps(resources, isCommand, waitsOn)].map(([r, steps]) => [
            nameOf(r.urn),
            steps.map((s) => nameOf(s.urn)),
        ]),
    );
}

/** The spoke each Available wait of a run was for, with that wait (wait-available.sh, "<spoke>-available"). */
export function availableWaits(steps: StepTiming[]): [string, StepTiming][] {
    return steps
        .filter((s) => s.script === "wait-available.sh")
        .map((s) => [s.step.replace(/-available$/, ""), s] as [string, StepTiming]);
}

/**
 * The chain as taken, among the steps of this run that succeeded: from the one that ended last, back
 * through what each step waited for, each time to the one that ended last among those it depends on
 * (`dependsOn`, from the state). A step none of whose dependencies ran in this run starts the chain.
 */
export function summariseRun(record: RunRecord, dependsOn: Record<string, string[]>): RunSummary {
    const steps = record.steps.filter((s) => s.exit === 0);
    const criticalPath: StepTiming[] = [];
    let current = [...steps].sort((a, b) => b.end - a.end)[0];
    while (current) {
        criticalPath.unshift(current);
        const waitedFor = dependsOn[current.step] ?? [];
        current = steps
            .filter((s) => waitedFor.includes(s.step) && !criticalPath.includes(s))
            .sort((a, b) => b.end - a.end)[0];
    }
    const slowest = [...record.steps].sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    const availableAfter = Object.fromEntries(
        availableWaits(steps)
            .map(([spoke, s]) => [spoke, seconds(s.end - record.started)] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
    );
    return {
        totalSeconds: seconds(record.ended - record.started),
        criticalPath,
        slowest,
        availableAfter,
        maxConcurrentSteps: maxOverlap(record.steps),
    };
}

const duration = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${s.toFixed(1)}s`);

/** The few lines `npm run up` ends with. */
export function renderRunSummary(record: RunRecord, dependsOn: Record<string, string[]>, file: string): string {
    const summary = summariseRun(record, dependsOn);
    const failed = record.steps.filter((s) => s.exit !== 0).map((s) => s.step);
    const path = summary.criticalPath.map((s) => `${s.step} ${duration(seconds(s.end - s.start))}`).join(" → ");
    const available = Object.entries(summary.availableAfter)
        .map(([spoke, s]) => `${spoke} ${duration(s)}`)
        .join(", ");
    return [
        `${record.command} took ${duration(summary.totalSeconds)}; ${record.steps.length} step(s) ran` +
            (failed.length > 0 ? `, failed: ${failed.join(", ")}` : ""),
        `  at most ${summary.maxConcurrentSteps} step(s) at once` +
            (record.maxConcurrentOperations !== undefined
                ? ` (the engine: ${record.maxConcurrentOperations} resource operation(s))`
                : ""),
        `  critical path as taken: ${path || "(no step ran)"}`,
        ...(summary.slowest
            ? [
                  `  slowest step: ${summary.slowest.step} ${duration(seconds(summary.slowest.end - summary.slowest.start))}`,
              ]
            : []),
        ...(available ? [`  time to Available: ${available}`] : []),
        `  run record: ${file}`,
    ].join("\n");
}
