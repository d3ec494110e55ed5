/**
 * The front door's way into Pulumi: the Automation API, with the program inline (index.ts, loaded in
 * this process and served through the SDK's own language server, so the CLI needs no nodejs language
 * host), run from the project folder so the CLI reads Pulumi.yaml and Pulumi.<stack>.yaml as
 * `pulumi up -s <stack>` would. The engine's events feed the progress the front door prints and the
 * run record.
 */
import * as path from "path";
import {
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
}

/** Collects an EngineRecord from the events of one operation. */
export function engineRecorder(): { onEvent: (event: EngineEvent) => void; record: EngineRecord } {
    const record: EngineRecord = { failed: [], maxConcurrent: 0, errors: [] };
    const running = new Set<string>();
    const onEvent = (event: EngineEvent) => {
        const pre = event.resourcePreEvent?.metadata;
        // Operations on custom resources only: components and providers do no work of their own.
        const custom = pre?.new?.custom ?? pre?.old?.custom;
        if (pre && custom && pre.op !== "same" && pre.op !== "read" && !pre.type.startsWith("pulumi:")) {
            running.add(`${pre.op}:${pre.urn}`);
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
}

/**
 * The URN of each resource named (the last part of a URN, e.g. `spoke1-cluster`), from the stack's
 * exported state; a name that is not there, or not once, is an error that lists what is.
 */
export function urnsOf(names: string[], resources: { urn: string }[]): string[] {
    const byName = new Map<string, string[]>();
    for (const { urn } of resources) {
        const name = nameOf(urn);
        byName.set(name, [...(byName.get(name) ?? []), urn]);
    }
    return names.map((name) => {
        const urns = byName.get(name) ?? [];
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
