/** Questions about the dependency graph recorded by runProgram. */
import { ProgramRun, Registration, RunOptions, runProgram } from "./program";

/**
 * Runs the program, which must fail, and returns its error with the names of the resources it
 * registered meanwhile. A resource declared before the error reaches the monitor a moment after the
 * program stops, so the count is taken a little later.
 */
export async function failedRun(options: RunOptions): Promise<{ error: Error; registered: string[] }> {
    const registered: string[] = [];
    let error: Error | undefined;
    try {
        await runProgram({
            ...options,
            onRegister: (r) => {
                registered.push(r.name);
                options.onRegister?.(r);
            },
        });
    } catch (failure) {
        error = failure instanceof Error ? failure : new Error(String(failure));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!error) {
        throw new Error(`the program did not fail; it registered ${registered.join(", ")}`);
    }
    return { error, registered };
}

export function resource(run: ProgramRun, name: string, type = "command:local:Command"): Registration {
    const matches = run.resources.filter((r) => r.name === name && r.type === type);
    if (matches.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${matches.length}: ${names(run).join(", ")}`);
    }
    return matches[0];
}

export const names = (run: ProgramRun) => run.resources.map((r) => r.name);
export const commands = (run: ProgramRun) => run.resources.filter((r) => r.type === "command:local:Command");

/** Every URN `r` waits for, directly or through the resources it waits for. */
export function upstream(run: ProgramRun, r: Registration): Set<string> {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const stack = [...r.dependencies];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (seen.has(urn)) {
            continue;
        }
        seen.add(urn);
        stack.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return seen;
}

/** The one custom resource of that name, whatever its type (step names are unique). */
export function step(run: ProgramRun, name: string): Registration {
    const matches = run.resources.filter((r) => r.name === name && r.custom);
    if (matches.length !== 1) {
        throw new Error(`expected one resource named ${name}, found ${matches.length}: ${names(run).join(", ")}`);
    }
    return matches[0];
}

export function waitsFor(run: ProgramRun, later: string, earlier: string): boolean {
    return upstream(run, step(run, later)).has(step(run, earlier).urn);
}

/** A step is anything that does work when created: every custom resource but providers. */
const isStep = (r: Registration) => r.custom && !r.type.startsWith("pulumi:providers:");

/**
 * The number of steps on the longest chain of the graph: how many must run one after another,
 * however many run in parallel beside them.
 */
export function longestChain(run: ProgramRun): number {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    const memo = new Map<string, number>();
    const depth = (urn: string): number => {
        if (memo.has(urn)) {
            return memo.get(urn)!;
        }
        const r = byUrn.get(urn)!;
        const own = isStep(r) ? 1 : 0;
        const longest = Math.max(0, ...r.dependencies.map(depth));
        memo.set(urn, own + longest);
        return own + longest;
    };
    return Math.max(...run.resources.map((r) => depth(r.urn)));
}
