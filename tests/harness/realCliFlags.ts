/**
 * The real CLIs' own flag parsers, for the command lines the engine tier's labs record (the fakes log
 * every call): kind and k3d at the pinned releases, built from their Go modules by `npm run build:clis`
 * (tests/builds/realClis.ts), and clusteradm v1.3.1's flag definitions read from its source (it cannot
 * be built here). The fakes accept whatever they were written to accept; a misspelled or removed
 * flag, or a verb the pinned release does not have, fails here instead of on a user's first
 * `npm run up`. Each recorded call is re-run with `--help` appended: cobra parses every flag first (an
 * unknown one is an error), then prints the resolved command's help instead of running it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineLab, expectSucceeded, withoutApiObjects } from "../engine/engineLab";
import { clusteradmSourceDir, RealCli, realCliPath } from "../builds/realClis";

export interface ParseResult {
    ok: boolean;
    output: string;
}

/** An empty HOME for the real CLIs, so they read no user's config. */
let cliHome: string | undefined;
function emptyHome(): string {
    cliHome ??= fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-cli-home-"));
    return cliHome;
}

/** Runs a calls.log line ("tool arg …", each arg shell-quoted by %q) through the real tool's parser. */
export function parseWithRealCli(tool: RealCli, line: string): ParseResult {
    const binary = realCliPath(tool);
    if (!fs.existsSync(binary)) {
        throw new Error(`the real ${tool} is not built (${binary}); next: npm run build:clis`);
    }
    const result = spawnSync("bash", ["-c", 'eval "set -- $CALL"; shift; exec "$REAL_CLI" "$@" --help'], {
        env: { ...process.env, CALL: line, REAL_CLI: binary, HOME: emptyHome() },
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
export function callsOfWholeLab(stack: "kind" | "k3d", tool: string = stack): Promise<string[]> {
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
export async function clusteradmCallsOfExistingLab(): Promise<string[]> {
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

export const verbOf = (line: string) =>
    line
        .split(" ")
        .slice(0, 3)
        .filter((word) => !word.startsWith("-"))
        .join(" ");

/**
 * clusteradm v1.3.1 cannot be built here (see tests/builds/realClis.ts), so its calls are checked against
 * the flags its source defines: those of the subcommand's own package, the shared ones in
 * pkg/genericclioptions, and the root's --kubeconfig and --context (cmd/clusteradm/clusteradm.go
 * sets only those two fields of cli-runtime's ConfigFlags). This catches a misspelled flag or a flag
 * of another subcommand, but not a value the real parser would reject.
 */
const flagDefinition =
    /\.(?:Bool|String|Int|Int32|Int64|Duration|StringSlice|StringArray|StringToString|Float64|Uint)(?:Var)?(P)?\(\s*(?:&[^,]+,\s*)?"([a-z0-9-]+)"(?:,\s*"([a-z])")?/g;

/** Long and short flag names defined in the .go files (tests excluded) of one source folder. */
function flagsIn(relative: string): string[] {
    const dir = path.join(clusteradmSourceDir(), relative);
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
        .flatMap((f) =>
            [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(flagDefinition)].flatMap((m) =>
                m[3] ? [m[2], m[3]] : [m[2]],
            ),
        );
}
const sharedFlags = () => [...flagsIn("pkg/genericclioptions"), "kubeconfig", "context"];

/**
 * The subcommand's package (e.g. pkg/cmd/get/token) and the flag names a calls.log line uses.
 * Flag values count as positional words too; a folder of that name never exists, so they are
 * passed over.
 */
export function parseClusteradmCall(line: string): { command: string; pkg?: string; flags: string[] } {
    const source = clusteradmSourceDir();
    const words = line.split(" ").slice(1);
    const positional = words.filter((w) => !w.startsWith("-"));
    const pkg = [positional.slice(0, 2), positional.slice(0, 1)]
        .map((p) => `pkg/cmd/${p.join("/")}`)
        .find((p) => fs.existsSync(path.join(source, p, "cmd.go")));
    const flags = words.filter((w) => w.startsWith("-")).map((w) => w.replace(/^--?/, "").split("=")[0]);
    return { command: positional[0], pkg, flags };
}

/** The flags of a clusteradm call that its subcommand does not define (or that it names none). */
export function unknownClusteradmFlags(line: string): string[] {
    const { command, pkg, flags } = parseClusteradmCall(line);
    if (!pkg) {
        return [`no subcommand "${command}"`];
    }
    const known = new Set([...flagsIn(pkg), ...sharedFlags()]);
    return flags.filter((f) => !known.has(f));
}

/** Fails unless clusteradm's source is downloaded (npm run build:clis fetches it). */
export function requireClusteradmSource(): void {
    if (!fs.existsSync(clusteradmSourceDir())) {
        throw new Error(`clusteradm's source is not downloaded (${clusteradmSourceDir()}); next: npm run build:clis`);
    }
}
