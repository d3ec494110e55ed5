/**
 * The front door's way into Pulumi: the Automation API, with the program inline (index.ts, loaded in
 * this process and served through the SDK's own language server, so the CLI needs no nodejs language
 * host), run from the project folder so the CLI reads Pulumi.yaml and Pulumi.<stack>.yaml as
 * `pulumi up -s <stack>` would. The engine's events feed the progress the front door prints and the
 * run record.
 */
import * as fs from "fs";
import * as path from "path";
import {
    Deployment,
    DestroyResult,
    EngineEvent,
    LocalWorkspace,
    PreviewResult,
    PulumiCommand,
    Stack,
    UpResult,
} from "@pulumi/pulumi/automation";
import { nameOf } from "./runRecord";

export const projectRoot = path.resolve(__dirname, "..");
export const projectName = "ocm-lab";

/**
 * The Pulumi CLI the npm package `pulumi` (package.json) pins: `$PULUMI_HOME/versions/<version>/bin/pulumi`,
 * downloaded there on first use by the package itself. PULUMI_VERSION picks another release the same
 * way (the tests point it at the CLI they build: tests/engine).
 */
export async function pinnedPulumiCli(): Promise<string> {
    // The npm package's own resolver (node_modules/pulumi/lib/resolve.js, untyped): cache first, then download.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { resolve } = require("pulumi/lib/resolve") as { resolve: () => Promise<string> };
    return resolve();
}

/** The stack, created if new, with the program inline and the CLI at `cli`. */
export async function selectLabStack(stackName: string, cli: string, env: NodeJS.ProcessEnv): Promise<Stack> {
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(cli)), skipVersionCheck: false });
    return LocalWorkspace.createOrSelectStack(
        {
            projectName,
            stackName,
            // A fresh process runs one operation: requiring index.ts runs the program once.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            program: async () => require(path.join(projectRoot, "index.ts")),
        },
        { workDir: projectRoot, pulumiCommand, envVars: definedOnly(env) },
    );
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** What the engine reported of one operation, gathered from its events. */
export interface EngineRecord {
    /** Resources whose step failed, by name, with the engine's message. */
    failed: { name: string; type: string; message: string }[];
    /** The most resource operations that were under way at one moment. */
    maxConcurrent: number;
    /** The error diagnostics the engine printed, in order. */
    errors: string[];
    /** The resource operations under way now, by resource name. */
    underWay: () => string[];
    /** Every resource operation reported starting so far, by resource name, in the order reported. */
    started: () => string[];
}

/** Collects an EngineRecord from the events of one operation. */
export function engineRecorder(): { onEvent: (event: EngineEvent) => void; record: EngineRecord } {
    const running = new Set<string>();
    const started: string[] = [];
    const record: EngineRecord = {
        failed: [],
        maxConcurrent: 0,
        errors: [],
        underWay: () => [...new Set([...running].map((key) => nameOf(key.slice(key.indexOf(":") + 1))))].sort(),
        started: () => [...started],
    };
    const onEvent = (event: EngineEvent) => {
        const pre = event.resourcePreEvent?.metadata;
        // Operations on custom resources only: components and providers do no work of their own.
        const custom = pre?.new?.custom ?? pre?.old?.custom;
        if (pre && custom && pre.op !== "same" && pre.op !== "read" && !pre.type.startsWith("pulumi:")) {
            running.add(`${pre.op}:${pre.urn}`);
            started.push(nameOf(pre.urn));
            record.maxConcurrent = Math.max(record.maxConcurrent, running.size);
        }
        const done = event.resOutputsEvent?.metadata;
        if (done) {
            running.delete(`${done.op}:${done.urn}`);
        }
        const failed = event.resOpFailedEvent?.metadata;
        if (failed) {
            running.delete(`${failed.op}:${failed.urn}`);
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "error") {
            record.errors.push(diagnostic.message);
            if (diagnostic.urn && !diagnostic.urn.includes("pulumi:pulumi:Stack")) {
                record.failed.push({
                    name: nameOf(diagnostic.urn),
                    type: diagnostic.urn.split("::")[2] ?? "",
                    message: diagnostic.message,
                });
            }
        }
    };
    return { onEvent, record };
}

export interface OperationOptions {
    /** The resource operations the engine may run at once (`--parallel`). */
    parallel: number;
    /** Written as the CLI prints them: the usual `pulumi up` display. */
    onOutput: (text: string) => void;
    onEvent: (event: EngineEvent) => void;
    /** Preview shows every input that changes (`--diff`), as docs/preview-*.txt are made. */
    diff?: boolean;
    /** URNs to replace whatever their inputs (`--replace`), on up and preview. */
    replace?: string[];
    /** Aborting it sends the CLI SIGINT: the engine cancels (cli/interrupt.ts). */
    signal?: AbortSignal;
}

/**
 * The URN of each resource named (the last part of a URN, e.g. `spoke1-cluster`), from the stack's
 * exported state; a name that is not there, or not once, is an error that lists what is. A whole URN
 * of the state (what that error asks for when a name is not enough) is taken as it is.
 */
export function urnsOf(names: string[], resources: { urn: string }[]): string[] {
    const byName = new Map<string, string[]>();
    for (const { urn } of resources) {
        const name = nameOf(urn);
        byName.set(name, [...(byName.get(name) ?? []), urn]);
    }
    const known = new Set(resources.map((r) => r.urn));
    return names.map((name) => {
        const urns = known.has(name) ? [name] : (byName.get(name) ?? []);
        if (urns.length !== 1) {
            const steps = [...byName.keys()].filter((n) => /-(cluster|connect|join|admin-password)$/.test(n)).sort();
            throw new Error(
                urns.length === 0
                    ? `no resource named ${name} in the stack; resources that are often replaced: ${steps.join(", ") || "(none yet)"}`
                    : `${urns.length} resources are named ${name}; give its URN: ${urns.join(", ")}`,
            );
        }
        return urns[0];
    });
}

/**
 * `pulumi up|preview|destroy` on the stack. Every operation that changes the lab continues on error:
 * a spoke whose step failed never stops another spoke's steps, which depend on nothing of it.
 */
export async function runOperation(
    stack: Stack,
    command: "up" | "preview" | "destroy",
    options: OperationOptions,
): Promise<UpResult | PreviewResult | DestroyResult> {
    const common = {
        parallel: options.parallel,
        onOutput: options.onOutput,
        onEvent: options.onEvent,
        color: "never" as const,
        signal: options.signal,
    };
    switch (command) {
        case "up":
            return stack.up({ ...common, continueOnError: true, replace: options.replace });
        case "preview":
            return stack.preview({ ...common, diff: options.diff, replace: options.replace });
        case "destroy":
            return stack.destroy({ ...common, continueOnError: true });
    }
}

/** An operation the engine had begun when its last run was cut short (`pending_operations` in the state). */
export interface PendingOperation {
    /** creating, updating, deleting, reading or importing */
    type: string;
    urn: string;
    /** The resource's inputs as the operation began. */
    inputs: Record<string, unknown>;
}

interface ExportedOperation {
    type: string;
    resource?: { urn?: string; inputs?: Record<string, unknown> };
}

/** The pending operations of an exported state (`pulumi stack export`). */
export function pendingOperations(exported: string): PendingOperation[] {
    const pending: ExportedOperation[] = JSON.parse(exported || "{}").deployment?.pending_operations ?? [];
    return pending.map((op) => ({ type: op.type, urn: op.resource?.urn ?? "", inputs: op.resource?.inputs ?? {} }));
}

/**
 * The state without its pending operations, for `stack import`. The engine itself keeps a pending
 * create in every later state and only warns (pulumi v3.274.1 pkg/backend/snapshot.go:845-851,
 * pkg/engine/deployment_executor.go:102-126); the lab's steps are safe to run again, so once its
 * resource is gone from the state the next `up` simply runs it again.
 */
export function withoutPendingOperations(exported: string): Deployment {
    const state = JSON.parse(exported);
    return { ...state, deployment: { ...state.deployment, pending_operations: [] } };
}

/**
 * Lock files of a file backend that no live process holds: a CLI killed outright (SIGKILL) leaves its
 * lock, and every later operation then refuses (pulumi v3.274.1 pkg/backend/diy/lock.go:85-109: each
 * lock is <backend>/.pulumi/locks/<...>/<project>/<stack>/<id>.json naming pid and hostname). Only
 * locks taken on this host by a process that is gone are returned.
 */
export function staleLocks(backendUrl: string, stackName: string, hostname: string): string[] {
    if (!backendUrl.startsWith("file://")) {
        return [];
    }
    const locks = path.join(backendUrl.slice("file://".length), ".pulumi", "locks");
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".json") && path.basename(dir) === stackName) {
                found.push(full);
            }
        }
    };
    walk(locks);
    return found.filter((file) => {
        try {
            const lock = JSON.parse(fs.readFileSync(file, "utf8"));
            return lock.hostname === hostname && typeof lock.pid === "number" && !alive(lock.pid);
        } catch {
            return false;
        }
    });
}

/** Whether a process runs: it exists and, where /proc tells, is not a zombie no one has reaped. */
export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return true; // no /proc here (macOS): it exists
    }
}
