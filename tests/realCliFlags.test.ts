/**
 * Every kind and k3d command line the step scripts run, handed to the real CLI's own flag parser.
 * The fakes accept whatever they were written to accept; a misspelled or removed flag, or a verb
 * the pinned release does not have, fails here instead of on a user's first `npm run up`.
 *
 * The real binaries are the pinned releases built from their Go modules by `npm run build:clis`
 * (tools/realClis.ts). Each recorded call is re-run with `--help` appended: cobra parses every flag
 * first (an unknown one is an error), then prints the resolved command's help instead of running it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { FakeLab } from "./harness/fakeLab";
import { Simulation } from "./harness/simulation";
import { RealCli, realCliPath } from "../tools/realClis";

jest.setTimeout(180_000);

interface ParseResult {
    ok: boolean;
    output: string;
}

/** Runs a calls.log line ("tool arg …", each arg shell-quoted by %q) through the real tool's parser. */
function parseWithRealCli(tool: RealCli, line: string): ParseResult {
    const binary = realCliPath(tool);
    if (!fs.existsSync(binary)) {
        throw new Error(`the real ${tool} is not built (${binary}); next: npm run build:clis`);
    }
    const result = spawnSync("bash", ["-c", 'eval "set -- $CALL"; shift; exec "$REAL_CLI" "$@" --help'], {
        env: { ...process.env, CALL: line, REAL_CLI: binary, HOME: fs.mkdtempSync("/tmp/ocm-lab-cli-home-") },
        encoding: "utf8",
        timeout: 30_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    // A call that names no leaf command (a misspelled verb) makes some CLIs print their root help
    // and exit 0: that is a failure too.
    return { ok: result.status === 0 && !/Available Commands:/.test(output), output };
}

/** Every kind/k3d call a lab's up, a spoke's removal and destroy make, against the fakes. */
async function callsOfWholeLab(stack: "kind" | "k3d"): Promise<string[]> {
    const lab = new FakeLab();
    try {
        const sim = new Simulation(lab, stack);
        expect((await sim.up({ spokes: ["spoke1", "spoke2", "spoke3"] })).error).toBeUndefined();
        expect((await sim.up({ spokes: ["spoke1", "spoke2"] })).error).toBeUndefined();
        await sim.destroy();
        return lab.calls(stack);
    } finally {
        lab.dispose();
    }
}

const verbOf = (line: string) =>
    line
        .split(" ")
        .slice(0, 3)
        .filter((word) => !word.startsWith("-"))
        .join(" ");

describe.each([
    ["kind", ["kind get clusters", "kind create cluster", "kind get kubeconfig", "kind delete cluster"]],
    ["k3d", ["k3d cluster get", "k3d cluster create", "k3d kubeconfig get", "k3d cluster delete"]],
] as const)("the real %s", (tool, verbs) => {
    let calls: string[];
    beforeAll(async () => {
        calls = await callsOfWholeLab(tool);
    });

    it("sees every verb the lab uses (create, kubeconfig, delete)", () => {
        expect(new Set(calls.map(verbOf))).toEqual(new Set(verbs));
    });

    it("accepts every command line the step scripts run", () => {
        const refused = [...new Set(calls)]
            .map((line) => ({ line, ...parseWithRealCli(tool, line) }))
            .filter((r) => !r.ok)
            .map((r) => `${r.line}\n  ${r.output.split("\n").slice(0, 3).join("\n  ")}`);
        expect(refused).toEqual([]);
    });

    it("refuses a misspelled flag and a misspelled verb, so the check above can fail", () => {
        const create = calls.find((line) =>
            verbOf(line).endsWith(tool === "kind" ? "create cluster" : "cluster create"),
        )!;
        const misspelledFlag = create.replace(tool === "kind" ? "--image" : "--network", "--imgae");
        expect(parseWithRealCli(tool, misspelledFlag)).toMatchObject({ ok: false });
        expect(parseWithRealCli(tool, create.replace(/create/, "craete"))).toMatchObject({ ok: false });
    });
});
