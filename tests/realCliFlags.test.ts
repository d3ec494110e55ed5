/**
 * Every kind and k3d command line the step scripts and the front door run, handed to the real CLI's
 * own flag parser.
 * The fakes accept whatever they were written to accept; a misspelled or removed flag, or a verb
 * the pinned release does not have, fails here instead of on a user's first `npm run up`.
 *
 * The real binaries are the pinned releases built from their Go modules by `npm run build:clis`
 * (tests/builds/realClis.ts). Each recorded call is re-run with `--help` appended: cobra parses every flag
 * first (an unknown one is an error), then prints the resolved command's help instead of running it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineLab, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engine/engineLab";
import { clusteradmSourceDir, RealCli, realCliPath } from "./builds/realClis";

requireEngineTier();

interface ParseResult {
    ok: boolean;
    output: string;
}

/** An empty HOME for the real CLIs, so they read no user's config; one for the whole file. */
const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-cli-home-"));
afterAll(() => fs.rmSync(cliHome, { recursive: true, force: true }));

/** Runs a calls.log line ("tool arg …", each arg shell-quoted by %q) through the real tool's parser. */
function parseWithRealCli(tool: RealCli, line: string): ParseResult {
    const binary = realCliPath(tool);
    if (!fs.existsSync(binary)) {
        throw new Error(`the real ${tool} is not built (${binary}); next: npm run build:clis`);
    }
    const result = spawnSync("bash", ["-c", 'eval "set -- $CALL"; shift; exec "$REAL_CLI" "$@" --help'], {
        env: { ...process.env, CALL: line, REAL_CLI: binary, HOME: cliHome },
        encoding: "utf8",
        timeout: 30_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    // A call that names no command of the CLI (a misspelled verb) makes cobra print a parent's help
    // and exit 0: that is a failure too. The help must be the called command's own: cobra's usage
    // line starts with its full path (`Usage:\n  k3d cluster list [NAME [NAME...]] [flags]`), and the
    // last word may be one of its aliases (`Aliases:\n  list, ls, get`).
    const words = verbOf(line).split(" ");
    const usagePath = (/^Usage:\s*\n\s+([a-z0-9 -]+?)(?= \[| [A-Z]|\n|$)/m.exec(output)?.[1] ?? "").split(" ");
    const aliases = (/^Aliases:\s*\n\s+(.+)$/m.exec(output)?.[1] ?? "").split(/,\s*/);
    const named =
        usagePath.slice(0, -1).join(" ") === words.slice(0, -1).join(" ") &&
        [usagePath.at(-1), ...aliases].includes(words.at(-1));
    return { ok: result.status === 0 && named, output };
}

/**
 * Every tool call (calls.log lines) a lab on `stack` makes through the front door on the real engine
 * (tests/engine): every klusterlet mode, a spoke that registers over gRPC, and the hub registered as
 * itself; then spoke3 (hosted) is
 * removed and the hub stops managing itself, so both klusterlets are unjoined from the hub; then a
 * rebuilt spoke, which accept approves with --skip-approve-check; then destroy. One run per stack for
 * the whole file.
 */
const wholeLabCalls = new Map<string, Promise<string[]>>();
function callsOfWholeLab(stack: "kind" | "k3d", tool: string = stack): Promise<string[]> {
    if (!wholeLabCalls.has(stack)) {
        wholeLabCalls.set(
            stack,
            (async () => {
                const lab = new EngineLab();
                try {
                    const two = { spokes: ["spoke1", "spoke2"], klusterletModes: { spoke2: "singleton" } };
                    lab.configure(stack, {
                        ...withoutApiObjects,
                        spokes: ["spoke1", "spoke2", "spoke3"],
                        hubSelfManaged: true,
                        klusterletModes: { spoke2: "singleton", spoke3: "hosted" },
                        registrations: { spoke1: "grpc" },
                    });
                    expectSucceeded(await lab.frontDoor("up", stack));
                    lab.configure(stack, { ...two, hubSelfManaged: false });
                    expectSucceeded(await lab.frontDoor("up", stack));
                    expectSucceeded(await lab.frontDoor("up", stack, "--replace", "spoke1-cluster"));
                    expectSucceeded(await lab.frontDoor("destroy", stack));
                    return lab.fake.calls();
                } finally {
                    lab.dispose();
                }
            })(),
        );
    }
    return wholeLabCalls.get(stack)!.then((calls) => calls.filter((c) => c.startsWith(`${tool} `)));
}

/** Every clusteradm call a lab on the user's own clusters (runtime existing) makes, up to destroy. */
async function clusteradmCallsOfExistingLab(): Promise<string[]> {
    const lab = new EngineLab();
    try {
        const config = {
            ...withoutApiObjects,
            ...lab.fake.userLab(["hub", "spoke1", "spoke2"]),
            hubSelfManaged: true,
            klusterletModes: { spoke2: "singleton" },
            registrations: { spoke1: "grpc" },
            hubGrpcServer: "",
        };
        // the user serves the hub's gRPC server themselves and names the address (fakes: a NodePort)
        config.hubGrpcServer = lab.fake.exposeGrpcServer("hub", 31090);
        lab.configure("existing", config);
        expectSucceeded(await lab.frontDoor("up", "existing"));
        // spoke2 leaves the lab: unjoined from its own cluster; then destroy cleans the hub
        lab.configure("existing", { spokes: ["spoke1"], klusterletModes: undefined });
        expectSucceeded(await lab.frontDoor("up", "existing"));
        expectSucceeded(await lab.frontDoor("destroy", "existing"));
        return lab.fake.calls("clusteradm");
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
    [
        "kind",
        ["kind version", "kind get clusters", "kind create cluster", "kind get kubeconfig", "kind delete cluster"],
    ],
    [
        "k3d",
        [
            "k3d version",
            "k3d cluster list",
            "k3d cluster get",
            "k3d cluster create",
            "k3d kubeconfig get",
            "k3d cluster delete",
        ],
    ],
] as const)("the real %s", (tool, verbs) => {
    let calls: string[];
    beforeAll(async () => {
        calls = await callsOfWholeLab(tool);
    });

    it("sees every verb the lab uses (version, list, create, kubeconfig, delete)", () => {
        expect(new Set(calls.map(verbOf))).toEqual(new Set(verbs));
    });

    it("accepts every command line the step scripts and the front door run", () => {
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

/**
 * clusteradm v1.3.1 cannot be built here (see tests/builds/realClis.ts), so its calls are checked against
 * the flags its source defines: those of the subcommand's own package, the shared ones in
 * pkg/genericclioptions, and the root's --kubeconfig and --context (cmd/clusteradm/clusteradm.go
 * sets only those two fields of cli-runtime's ConfigFlags). This catches a misspelled flag or a flag
 * of another subcommand, but not a value the real parser would reject.
 */
describe("clusteradm v1.3.1's own flag definitions", () => {
    const source = clusteradmSourceDir();
    const flagDefinition =
        /\.(?:Bool|String|Int|Int32|Int64|Duration|StringSlice|StringArray|StringToString|Float64|Uint)(?:Var)?(P)?\(\s*(?:&[^,]+,\s*)?"([a-z0-9-]+)"(?:,\s*"([a-z])")?/g;
    /** Long and short flag names defined in the .go files (tests excluded) of one source folder. */
    const flagsIn = (relative: string): string[] => {
        const dir = path.join(source, relative);
        return fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
            .flatMap((f) =>
                [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(flagDefinition)].flatMap((m) =>
                    m[3] ? [m[2], m[3]] : [m[2]],
                ),
            );
    };
    const shared = () => [...flagsIn("pkg/genericclioptions"), "kubeconfig", "context"];

    /**
     * The subcommand's package (e.g. pkg/cmd/get/token) and the flag names a calls.log line uses.
     * Flag values count as positional words too; a folder of that name never exists, so they are
     * passed over.
     */
    function parseCall(line: string): { command: string; pkg?: string; flags: string[] } {
        const words = line.split(" ").slice(1);
        const positional = words.filter((w) => !w.startsWith("-"));
        const pkg = [positional.slice(0, 2), positional.slice(0, 1)]
            .map((p) => `pkg/cmd/${p.join("/")}`)
            .find((p) => fs.existsSync(path.join(source, p, "cmd.go")));
        const flags = words.filter((w) => w.startsWith("-")).map((w) => w.replace(/^--?/, "").split("=")[0]);
        return { command: positional[0], pkg, flags };
    }

    function unknownFlags(line: string): string[] {
        const { command, pkg, flags } = parseCall(line);
        if (!pkg) {
            return [`no subcommand "${command}"`];
        }
        const known = new Set([...flagsIn(pkg), ...shared()]);
        return flags.filter((f) => !known.has(f));
    }

    let calls: string[];
    beforeAll(async () => {
        if (!fs.existsSync(source)) {
            throw new Error(`clusteradm's source is not downloaded (${source}); next: npm run build:clis`);
        }
        calls = [
            ...(await callsOfWholeLab("kind", "clusteradm")),
            ...(await callsOfWholeLab("k3d", "clusteradm")),
            ...(await clusteradmCallsOfExistingLab()),
        ];
    });

    it("sees every subcommand the lab uses", () => {
        expect(new Set(calls.map((c) => parseCall(c).pkg))).toEqual(
            new Set([
                "pkg/cmd/init",
                "pkg/cmd/get/token",
                "pkg/cmd/join",
                "pkg/cmd/accept",
                "pkg/cmd/unjoin",
                "pkg/cmd/clean",
                "pkg/cmd/version",
            ]),
        );
    });

    it("defines every flag the step scripts pass, --skip-approve-check, every klusterlet mode, gRPC's and existing's included", () => {
        expect(calls.some((c) => c.startsWith("clusteradm accept ") && c.includes("--skip-approve-check"))).toBe(true);
        for (const modeFlags of ["--singleton", "--mode hosted --managed-cluster-kubeconfig"]) {
            expect(calls.some((c) => c.startsWith("clusteradm join ") && c.includes(modeFlags))).toBe(true);
        }
        expect(
            calls.filter((c) => c.startsWith("clusteradm unjoin ")).map((c) => /--cluster-name (\S+)/.exec(c)?.[1]),
        ).toEqual(expect.arrayContaining(["spoke3", "local-cluster"]));
        // runtime existing: a join at the hub's own address, unjoins that purge the operator, clean
        expect(calls.some((c) => c.startsWith("clusteradm join ") && !c.includes("--force-internal"))).toBe(true);
        expect(calls.some((c) => c.startsWith("clusteradm unjoin ") && c.endsWith("--purge-operator=true"))).toBe(true);
        expect(calls.some((c) => c.startsWith("clusteradm clean ") && c.includes("--purge-operator=true"))).toBe(true);
        // gRPC registration: the hub's driver and where it is served, a klusterlet's driver, server and CA
        expect(
            calls.some(
                (c) =>
                    c.startsWith("clusteradm init ") &&
                    /--registration-drivers \S+ --grpc-endpoint-type hostname --grpc-server \S+/.test(c),
            ),
        ).toBe(true);
        expect(
            calls.some(
                (c) =>
                    c.startsWith("clusteradm join ") &&
                    /--registration-auth grpc --grpc-server \S+ --grpc-ca-file \S+/.test(c),
            ),
        ).toBe(true);
        const refused = [...new Set(calls)]
            .map((line) => ({ line, unknown: unknownFlags(line) }))
            .filter((r) => r.unknown.length > 0);
        expect(refused).toEqual([]);
    });

    it("refuses a misspelled flag, a flag of another subcommand and a verb it lacks", () => {
        const join = calls.find((c) => c.startsWith("clusteradm join "))!;
        const accept = calls.find((c) => c.startsWith("clusteradm accept "))!;
        expect(unknownFlags(join.replace("--hub-apiserver", "--hub-api-server"))).toEqual(["hub-api-server"]);
        expect(unknownFlags(`${accept} --hub-token x`)).toEqual(["hub-token"]);
        expect(unknownFlags(join.replace("clusteradm join", "clusteradm jion"))).toEqual(['no subcommand "jion"']);
    });
});
