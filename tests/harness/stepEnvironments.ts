/**
 * Each step's environment as the program makes it: the `environment` input of its Command, from the
 * real program run under mocks (runProgram), for lab shapes that between them run every step script.
 * What a script requires of its environment is read from its `require_env` lines (scripts/lib.sh).
 */
import * as fs from "fs";
import * as path from "path";
import { commands } from "./graph";
import { projectRoot, reveal, RunOptions, runProgram } from "./program";

/** Three spokes, one in each klusterlet mode, one registering over gRPC, and the hub managing itself. */
const everyModeGrpcSelfManaged = {
    spokes: ["spoke1", "spoke2", "spoke3"],
    klusterletModes: { spoke2: "singleton", spoke3: "hosted" },
    registrations: { spoke1: "grpc" },
    hubSelfManaged: true,
};

/**
 * Lab shapes whose steps, between them, run every step script and every branch of a script that
 * requires more: a hosted and a singleton klusterlet, a spoke registered over gRPC, the hub managing
 * itself, on each runtime; and each stack as it ships.
 */
export const labShapes: Record<string, RunOptions> = {
    kind: { stack: "kind" },
    k3d: { stack: "k3d" },
    existing: { stack: "existing" },
    "kind, every klusterlet mode, gRPC, self-managed hub": { stack: "kind", config: everyModeGrpcSelfManaged },
    "k3d, every klusterlet mode, gRPC, self-managed hub": { stack: "k3d", config: everyModeGrpcSelfManaged },
    "existing, gRPC, self-managed hub": {
        stack: "existing",
        config: {
            klusterletModes: { spoke2: "singleton" },
            registrations: { spoke1: "grpc" },
            hubGrpcServer: "grpc.hub.example:30090",
            hubSelfManaged: true,
        },
    },
};

/** One Command of the program: its name, the scripts it runs (create, delete) and its environment. */
export interface StepEnvironment {
    step: string;
    /** Below scripts/, e.g. "join.sh", "kind/create-cluster.sh". */
    scripts: string[];
    environment: Record<string, string>;
}

/** Every Command of the program run with `options`, its environment's secrets unwrapped. */
export async function stepEnvironments(options: RunOptions): Promise<StepEnvironment[]> {
    const run = await runProgram(options);
    return commands(run).map((r) => ({
        step: r.name,
        scripts: [r.inputs.create, r.inputs.delete]
            .filter((command): command is string => typeof command === "string")
            .map((command) => command.replace(/^scripts\//, "")),
        environment: reveal(r.inputs.environment ?? {}),
    }));
}

/** The variables a script requires: always, or only in one arm of a `case` (`hosted)`, `grpc)`). */
export interface Requirement {
    names: string[];
    /** The `case` arm the require_env line is in, when it is in one. */
    arm?: string;
}

/** The require_env lines of scripts/<script>, continuation lines joined. */
export function requirementsOf(script: string): Requirement[] {
    const lines = fs.readFileSync(path.join(projectRoot, "scripts", script), "utf8").split("\n");
    const found: Requirement[] = [];
    let arm: string | undefined;
    for (let i = 0; i < lines.length; i++) {
        const armLabel = /^\s*([\w|-]+)\)(\s|$)/.exec(lines[i]);
        if (armLabel) {
            arm = armLabel[1];
        } else if (/^\s*(;;|esac\b)/.test(lines[i])) {
            arm = undefined;
        }
        if (!/^\s*require_env\s/.test(lines[i])) {
            continue;
        }
        let statement = lines[i];
        while (statement.endsWith("\\") && i + 1 < lines.length) {
            statement = `${statement.slice(0, -1)} ${lines[++i]}`;
        }
        found.push({ names: statement.trim().split(/\s+/).slice(1), arm });
    }
    return found;
}

/** Every step script below scripts/ (lib.sh is sourced by them, not run). */
export function stepScripts(): string[] {
    const scriptsDir = path.join(projectRoot, "scripts");
    return fs
        .readdirSync(scriptsDir, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".sh") && file !== "lib.sh")
        .sort();
}
