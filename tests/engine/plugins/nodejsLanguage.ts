/**
 * Stand-in for the nodejs language host (`pulumi-language-nodejs`), test infrastructure only: the Go module
 * proxy refuses github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs, so the engine tier's CLI
 * (v3.274.1, built from pkg/v3) cannot run a Pulumi.yaml `runtime: nodejs` program as `pulumi up` does.
 * The CLI finds this one on PATH (tests/engine/plugins/bin/pulumi-language-nodejs).
 *
 * What it runs is @pulumi/pulumi's own `cmd/run` from the program's node_modules, with the arguments and
 * environment the real host gives it: the program's SDK does everything else (ts-node, package.json
 * `main`/`exports`, config, its error reporting, the engine connection).
 *
 * Sources. The host's own source is not in the Go module cache (its module is refused) and the pulumi
 * repository snapshot here ends before v3.274.1: it was read at pulumi/pulumi a180b9618a (the last change
 * to sdk/nodejs/cmd/pulumi-language-nodejs/main.go in that snapshot, sdk/.version 3.260.0); "main.go:N"
 * below is a line there. What the host talks to was read at v3.274.1 and is byte-identical to that
 * snapshot: the CLI's side (sdk/v3@v3.274.1 go/common/resource/plugin/{plugin.go,langruntime_plugin.go})
 * and the SDK's `cmd/run` (sdk/v3@v3.274.1 nodejs/cmd/run/{index.ts,run.ts}); so is the Run part of
 * proto/go/language.pb.go (only codegen's mapper_target fields differ).
 *
 * Emulated:
 * - start: flags `--tracing`, `--runtime` (nodejs only), `--version`, and the logging flags the CLI may
 *   pass (`--logtostderr`, `-v=N`), then the engine's address (main.go:120-150; the CLI's command line is
 *   plugin.go buildPluginArguments and langruntime_plugin.go buildArgsForNewPlugin). A gRPC server on a
 *   port of 127.0.0.1 the kernel picks, printed as one line on stdout (main.go:176-193, rpcutil/serve.go;
 *   the CLI reads it in plugin.go newPlugin/parsePort). The engine's health is checked every 5 minutes
 *   and the host stops when the engine is gone (main.go:171, rpcutil/health.go).
 * - Run (main.go:779-1118): node found on PATH ("could not find node on the $PATH", main.go:835);
 *   `@pulumi/pulumi/cmd/run` (or PULUMI_LANGUAGE_NODEJS_RUN_PATH) resolved from the program directory,
 *   with upstream's message when the SDK is missing (main.go:202-230, 848-862); node's arguments
 *   `[nodeargs...] <run> --monitor --engine --organization --project --root-directory --stack --pwd
 *   [--dry-run] --parallel [--tracing] <entry point> [args...]`, each only when set, `--parallel` always
 *   (constructArguments, main.go:1086-1116); the environment: the host's own plus PULUMI_CONFIG (keys as
 *   `<ns>:config:<name>`, main.go:1120-1146), PULUMI_CONFIG_SECRET_KEYS (main.go:1149-1160),
 *   PULUMI_NODEJS_TYPESCRIPT=true unless `typescript: false` (the option defaults to true, main.go:291-
 *   300, 921-923), PULUMI_NODEJS_TSCONFIG_PATH from `tsconfig` (924-926); `nodeargs` split as a shell
 *   would (929); runtime options of the wrong type refused with upstream's messages. Node's stdout goes
 *   to the host's stdout (the CLI shows it), its stderr to the host's stderr, scanned for an out-of-memory
 *   report (oomSniffer, main.go:2137-2195). Exit 0: no error; exit 32, the SDK's "already told the user":
 *   `bail` (main.go:1056-1060); another code: "Program exited with non-zero exit code: N" (-1 for a signal,
 *   as Go reports it), with the OOM advice when seen; node not started: "Problem executing program (could
 *   not run language executor): ..." (main.go:1071). Cancel, or the CLI dropping the Run call, sends node
 *   SIGINT and SIGKILL 5 s later (main.go:984-995, 2308-2311); a Cancel holds for later Runs too.
 * - GetRequiredPackages (main.go:480-776): every folder under the program directory, deeply, following
 *   symlinks once, skipping policy packs (a PulumiPolicy.{json,yaml,yml} file); each package.json inside a
 *   node_modules whose `pulumi.resource` is true is a resource package: name from `pulumi.name`, else the
 *   @pulumi/ package's own name, else an error; version `pulumi.version` or the package's, with a leading
 *   "v"; `pulumi.server`, `pulumi.parameterization` and `pulumi.extensionParameterization` passed on.
 *   @pulumi/pulumi copies of differing major versions are reported on stderr (compatibleVersions, 452-
 *   477). Errors found on the way are dropped, as upstream only logs them.
 * - GetRequiredPlugins: UNIMPLEMENTED, as upstream (main.go:530-535); the CLI asks GetRequiredPackages.
 * - GetPluginInfo: the CLI's release, v3.274.1 (main.go:1163-1167). Handshake: records the engine's
 *   address (main.go:1471-1490). RuntimeOptionsPrompts: the `packagemanager` prompt when the option is
 *   unset, npm/pnpm/yarn/bun with those found on PATH first and " [not found]" on the others (main.go:
 *   1334-1359, sdk/v3 langruntime.go MakeExecutablePromptChoices).
 * - About: node's path and `--version`, and the TypeScript version the program would load (main.go:1385-
 *   1469); the package manager's name and version are left out (below).
 *
 * Left out:
 * - the monitor proxy and the synchronous-invoke pipes (proxy.go): node gets the engine's monitor address
 *   itself and no `--sync`. The proxy forwards every call untouched but adds a `pulumi-runtime: nodejs`
 *   header to RegisterResource; the engine also takes grpc-js's `grpc-node-js/` user agent as Node
 *   (pkg/resource/deploy/source_eval.go requestFromNodeJS), so its alias handling is the same. The SDK
 *   installed here (3.265.0) never opens the pipes (runtime/settings.js tryGetSyncInvokes has no caller).
 * - dependency installation and everything about package managers: InstallDependencies, Template,
 *   GetProgramDependencies (upstream reads the lock file of npm, yarn, pnpm or bun), About's package
 *   manager; fnm and .nvmrc; the managed Node.js fallback. They answer UNIMPLEMENTED, as do RunPlugin
 *   (plugins written in Node), GenerateProgram/Project/Package, Pack and Link (code generation).
 * - the bun runtime, attaching a debugger (RunRequest.attach_debugger), tracing and OpenTelemetry (the
 *   `--tracing` flag is passed on to node, nothing is traced here), `forceTsc` (conformance tests only),
 *   and google/shlex's `#` comments in `nodeargs`.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { versions } from "../../../versions";

const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const langproto = require("@pulumi/pulumi/proto/language_pb.js");
const pluginproto = require("@pulumi/pulumi/proto/plugin_pb.js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb.js");

/** The exit code of `cmd/run` after it has shown the user an actionable message (cmd/run/index.ts). */
const alreadyReported = 32;
const hostVersion = versions.pulumiCliForTests;

export interface HostFlags {
    engineAddress?: string;
    tracing: string;
    runtime: string;
    version: boolean;
}

/** Go's `flag` syntax (`-f`, `--f`, `-f=v`, `-f v`) for the flags the host and its logging define. */
export function parseFlags(args: string[]): HostFlags {
    const withValue = new Set(["tracing", "runtime", "v", "vmodule", "log_dir", "log_backtrace_at", "stderrthreshold"]);
    const booleans = new Set(["version", "logtostderr", "alsologtostderr"]);
    const flags: HostFlags = { tracing: "", runtime: "nodejs", version: false };
    let i = 0;
    for (; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--") {
            i++;
            break;
        }
        if (!arg.startsWith("-") || arg === "-") {
            break;
        }
        const [name, inline] = arg.replace(/^--?/, "").split(/=(.*)/s);
        if (booleans.has(name)) {
            if (name === "version") flags.version = inline === undefined || inline === "true";
        } else if (withValue.has(name)) {
            const value = inline ?? args[++i];
            if (value === undefined) throw new Error(`flag needs an argument: -${name}`);
            if (name === "tracing") flags.tracing = value;
            if (name === "runtime") flags.runtime = value;
        } else {
            throw new Error(`flag provided but not defined: -${name}`);
        }
    }
    flags.engineAddress = args[i];
    return flags;
}

export interface NodeOptions {
    typescript: boolean;
    tsconfig: string;
    nodeargs: string;
}

/** The runtime options Run reads (main.go parseOptions), with upstream's messages for a wrong type. */
export function parseOptions(options: Record<string, unknown>): NodeOptions {
    const parsed: NodeOptions = { typescript: true, tsconfig: "", nodeargs: "" };
    const take = <K extends keyof NodeOptions>(key: K, option: string, type: string, message: string) => {
        if (options[option] === undefined) return;
        if (typeof options[option] !== type) throw new Error(message);
        parsed[key] = options[option] as NodeOptions[K];
    };
    take("typescript", "typescript", "boolean", "typescript option must be a boolean");
    take("tsconfig", "tsconfig", "string", "tsconfigpath option must be a string");
    take("nodeargs", "nodeargs", "string", "nodeargs option must be a string");
    if (options.production !== undefined && typeof options.production !== "boolean") {
        throw new Error("production option must be a boolean");
    }
    const pm = options.packagemanager;
    if (pm !== undefined) {
        if (typeof pm !== "string") throw new Error("packagemanager option must be a string");
        if (!["auto", "npm", "yarn", "pnpm", "bun"].includes(pm)) {
            throw new Error(`packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "${pm}"`);
        }
    }
    return parsed;
}

/** Words of a shell-like string: blanks separate, quotes group, a backslash escapes (google/shlex, no `#`). */
export function splitWords(text: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote === "'") {
            if (c === "'") quote = undefined;
            else word += c;
        } else if (quote === '"') {
            if (c === '"') quote = undefined;
            else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
            else word += c;
        } else if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else {
            word = word ?? "";
            if (c === "'" || c === '"') quote = c;
            else if (c === "\\") word += text[++i] ?? "";
            else word += c;
        }
    }
    if (quote) throw new Error("EOF found when expecting closing quote");
    if (word !== undefined) words.push(word);
    return words;
}

/** The config as the SDK reads it: every `<ns>:<name>` key as `<ns>:config:<name>` (main.go constructConfig). */
export function configForNode(config: Map<string, string>): string {
    const transformed: Record<string, string> = {};
    for (const [key, value] of config) {
        const parts = key.split(":");
        if (parts.length === 2) {
            transformed[`${parts[0]}:config:${parts[1]}`] = value;
        } else if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) {
            transformed[key] = value;
        } else {
            throw new Error(
                `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
            );
        }
    }
    return JSON.stringify(transformed);
}

export interface RunInput {
    monitorAddress: string;
    engineAddress: string;
    organization: string;
    project: string;
    stack: string;
    rootDirectory: string;
    programDirectory: string;
    entryPoint: string;
    dryRun: boolean;
    parallel: number;
    tracing: string;
    args: string[];
}

/** node's arguments after its own (constructArguments, main.go:1086-1116; no `--sync`: see the header). */
export function runArguments(runPath: string, run: RunInput): string[] {
    const args = [runPath];
    const maybe = (flag: string, value: string) => {
        if (value !== "") args.push(`--${flag}`, value);
    };
    maybe("monitor", run.monitorAddress);
    maybe("engine", run.engineAddress);
    maybe("organization", run.organization);
    maybe("project", run.project);
    maybe("root-directory", run.rootDirectory);
    maybe("stack", run.stack);
    maybe("pwd", run.programDirectory);
    if (run.dryRun) args.push("--dry-run");
    maybe("parallel", String(run.parallel));
    maybe("tracing", run.tracing);
    return [...args, run.entryPoint, ...run.args];
}

/** An executable's path on PATH, as Go's exec.LookPath finds it. */
function lookPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir || ".", name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

export interface RequiredPackage {
    name: string;
    version: string;
    server: string;
    parameterization?: { name: string; version: string; value: string };
    extension?: { name: string; version: string; value: string };
}

/**
 * The resource packages under `dir` (getPackagesFromDir, main.go:537-675), and every @pulumi/pulumi
 * version seen, by package.json path.
 */
export function requiredPackages(dir: string): { packages: RequiredPackage[]; sdkVersions: Map<string, string> } {
    const sdkVersions = new Map<string, string>();
    const visited = new Set<string>();
    const walk = (folder: string, inNodeModules: boolean): RequiredPackage[] => {
        folder = path.resolve(folder);
        if (visited.has(folder)) return [];
        visited.add(folder);
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(folder, { withFileTypes: true });
        } catch {
            return [];
        }
        const found: RequiredPackage[] = [];
        for (const entry of entries) {
            let current = path.join(folder, entry.name);
            let isDir = entry.isDirectory();
            if (entry.isSymbolicLink()) {
                try {
                    current = fs.realpathSync(current);
                    isDir = fs.statSync(current).isDirectory();
                } catch {
                    continue;
                }
            }
            if (isDir) {
                if ([".json", ".yaml", ".yml"].some((ext) => fs.existsSync(path.join(current, `PulumiPolicy${ext}`)))) {
                    continue; // a policy pack's plugins are not the program's
                }
                found.push(...walk(current, inNodeModules || path.basename(folder) === "node_modules"));
            } else if (inNodeModules && entry.name === "package.json") {
                const pkg = readPackage(current);
                if (pkg === undefined) continue;
                if (pkg.name === "@pulumi/pulumi" && typeof pkg.version === "string") {
                    sdkVersions.set(current, pkg.version);
                }
                const dependency = resourcePackage(pkg);
                if (dependency) found.push(dependency);
            }
        }
        return found;
    };
    return { packages: walk(dir, false), sdkVersions };
}

function readPackage(file: string): any {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined; // upstream logs it and goes on
    }
}

/** A package.json's resource plugin (getPackageInfo, getPluginName, getPluginVersion: main.go:678-750). */
export function resourcePackage(pkg: any): RequiredPackage | undefined {
    const pulumi = pkg.pulumi ?? {};
    if (pulumi.resource !== true) return undefined;
    let name: string | undefined = pulumi.name || undefined;
    if (!name && typeof pkg.name === "string" && pkg.name.startsWith("@pulumi/")) {
        name = pkg.name.slice("@pulumi/".length);
    }
    const version: string | undefined = pulumi.version || pkg.version || undefined;
    if (!name || !version) return undefined; // upstream: an error, logged
    const dependency: RequiredPackage = {
        name,
        version: version.startsWith("v") ? version : `v${version}`,
        server: pulumi.server ?? "",
    };
    if (pulumi.parameterization) dependency.parameterization = pulumi.parameterization;
    if (pulumi.extensionParameterization) dependency.extension = pulumi.extensionParameterization;
    return dependency;
}

/** Upstream's message when two @pulumi/pulumi copies cannot work together (compatibleVersions), or undefined. */
export function incompatibleSdks(sdkVersions: Map<string, string>): string | undefined {
    const entries = [...sdkVersions];
    if (entries.length < 2) return undefined;
    const [firstPath, firstVersion] = entries[0];
    const parse = (v: string) => v.split(".").map((n) => parseInt(n, 10));
    for (const [otherPath, otherVersion] of entries.slice(1)) {
        const [aMajor, aMinor] = parse(otherVersion);
        const [bMajor, bMinor] = parse(firstVersion);
        let problem: string | undefined;
        if (aMajor === 0 && bMajor === 0) {
            if (aMinor !== bMinor) problem = "Differing major or minor versions are not supported.";
        } else if (aMajor >= 1 && aMajor <= 2 && bMajor >= 1 && bMajor <= 2) {
            // compatible
        } else if (aMajor > 2 || bMajor > 2) {
            if (aMajor !== bMajor) problem = "Differing major versions are not supported.";
        } else if (!(
            (aMajor === 1 && bMajor === 0 && bMinor === 17) ||
            (bMajor === 1 && aMajor === 0 && aMinor === 17)
        )) {
            problem = "Differing major or minor versions are not supported.";
        }
        if (problem) {
            return (
                `Found incompatible versions of @pulumi/pulumi. ${problem}\n` +
                `  Version ${firstVersion} referenced at ${firstPath}\n` +
                `  Version ${otherVersion} referenced at ${otherPath}\n`
            );
        }
    }
    return undefined;
}

const oomAdvice =
    "Detected a possible out of memory error. Consider increasing the memory available to the nodejs process " +
    "by setting the `nodeargs` runtime option in Pulumi.yaml to `nodeargs: --max-old-space-size=<size>` where " +
    "`<size>` is the maximum memory in megabytes that can be allocated to nodejs. " +
    "See https://www.pulumi.com/docs/concepts/projects/project-file/#runtime-options";

class NodeLanguageHost {
    private cancelled = false;
    private readonly running = new Set<ChildProcess>();

    constructor(
        private engineAddress: string | undefined,
        private readonly tracing: string,
    ) {}

    /** Run: the program, through the SDK's cmd/run. Resolves with RunResponse's error and bail. */
    async run(request: any, call: grpc.ServerUnaryCall<any, any>): Promise<{ error: string; bail: boolean }> {
        if (!this.engineAddress) {
            throw new Error("when debugging or running explicitly, must call Handshake before Run");
        }
        const info = request.getInfo();
        const programDirectory: string = info?.getProgramDirectory() ?? "";
        const node = lookPath("node");
        if (!node) {
            return {
                error: 'could not find node on the $PATH: exec: "node": executable file not found in $PATH',
                bail: false,
            };
        }
        const runModule = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
        let runPath: string;
        try {
            runPath = require.resolve(runModule, { paths: [programDirectory] });
        } catch (error: any) {
            return {
                error:
                    error?.code === "MODULE_NOT_FOUND"
                        ? "It looks like the Pulumi SDK has not been installed. Have you run pulumi install?\n"
                        : `${error?.message}\n`,
                bail: false,
            };
        }
        let options: NodeOptions;
        let nodeArgs: string[];
        let env: NodeJS.ProcessEnv;
        try {
            options = parseOptions(info?.getOptions()?.toJavaScript() ?? {});
            nodeArgs = splitWords(options.nodeargs);
            env = { ...process.env };
            try {
                env.PULUMI_CONFIG = configForNode(new Map(request.getConfigMap().toArray()));
            } catch (error: any) {
                throw new Error(`failed to serialize configuration: ${error.message}`);
            }
            env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(request.getConfigsecretkeysList() ?? []);
            if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
            if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
        } catch (error: any) {
            return { error: error.message, bail: false };
        }
        const args = runArguments(runPath, {
            monitorAddress: request.getMonitorAddress(),
            engineAddress: this.engineAddress,
            organization: request.getOrganization(),
            project: request.getProject(),
            stack: request.getStack(),
            rootDirectory: info?.getRootDirectory() ?? "",
            programDirectory,
            entryPoint: info?.getEntryPoint() ?? "",
            dryRun: request.getDryrun(),
            parallel: request.getParallel(),
            tracing: this.tracing,
            args: request.getArgsList(),
        });
        return new Promise((resolve) => {
            const child = spawn(node, [...nodeArgs, ...args], { env, stdio: ["ignore", "inherit", "pipe"] });
            this.running.add(child);
            let outOfMemory = false;
            let partial = "";
            child.stderr!.on("data", (chunk: Buffer) => {
                process.stderr.write(chunk);
                const lines = (partial + chunk.toString("utf8")).split("\n");
                partial = lines.pop() ?? "";
                outOfMemory ||= lines.some(
                    (line) =>
                        line.includes("<--- Last few GCs --->") ||
                        line.includes("Check failed: needs_context && current_scope_ == closure_scope_"),
                );
            });
            const stop = () => this.interrupt(child);
            call.on("cancelled", stop);
            if (this.cancelled) stop();
            child.on("error", (error) => {
                this.running.delete(child);
                resolve({
                    error: `Problem executing program (could not run language executor): ${error.message}`,
                    bail: false,
                });
            });
            child.on("close", (code) => {
                this.running.delete(child);
                if (code === 0) {
                    resolve({ error: "", bail: false });
                } else if (code === alreadyReported) {
                    resolve({ error: "", bail: true });
                } else {
                    const exit = code ?? -1; // Go's ExitCode() for a process a signal ended
                    const message = `Program exited with non-zero exit code: ${exit}`;
                    resolve({ error: outOfMemory ? `${message}. ${oomAdvice}` : message, bail: false });
                }
            });
        });
    }

    /** SIGINT, then SIGKILL if node is still there 5 s later (main.go: cmd.Cancel and WaitDelay). */
    private interrupt(child: ChildProcess): void {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (!child.kill("SIGINT")) child.kill("SIGKILL");
        setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }, 5000).unref();
    }

    cancel(): void {
        this.cancelled = true;
        for (const child of this.running) this.interrupt(child);
    }

    handshake(engineAddress: string): void {
        this.engineAddress = engineAddress;
    }

    about(programDirectory: string): { executable: string; version: string; typescript: string } {
        const node = lookPath("node");
        if (!node) throw new Error('could not find executable "node"');
        const version = spawnSync(node, ["--version"], { encoding: "utf8" });
        const typescript = spawnSync(node, ["-e", "console.log(require('typescript/package.json').version)"], {
            cwd: programDirectory,
            encoding: "utf8",
        });
        return {
            executable: node,
            version: version.status === 0 ? version.stdout.trim() : "",
            typescript: typescript.status === 0 ? typescript.stdout.trim() : "",
        };
    }
}

const unimplemented = (method: string, why: string) => (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `method ${method} not implemented by the stand-in: ${why}` });

function respond<T>(callback: grpc.sendUnaryData<T>, answer: () => T | Promise<T>): void {
    Promise.resolve()
        .then(answer)
        .then(
            (response) => callback(null, response),
            (error: Error) => callback({ code: grpc.status.UNKNOWN, details: error.message }),
        );
}

function serve(host: NodeLanguageHost): grpc.UntypedServiceImplementation {
    const installs = "this stand-in installs no dependencies and knows no package manager";
    return {
        handshake: (call: any, callback: any) =>
            respond(callback, () => {
                host.handshake(call.request.getEngineAddress());
                return new langproto.LanguageHandshakeResponse();
            }),
        getRequiredPlugins: (_call: any, callback: any) =>
            callback({ code: grpc.status.UNIMPLEMENTED, details: "method GetRequiredPlugins not implemented" }),
        getRequiredPackages: (call: any, callback: any) =>
            respond(callback, () => {
                const { packages, sdkVersions } = requiredPackages(
                    call.request.getInfo()?.getProgramDirectory() ?? ".",
                );
                const warning = incompatibleSdks(sdkVersions);
                if (warning) process.stderr.write(warning);
                const parameterization = (p?: { name: string; version: string; value: string }) => {
                    if (!p) return undefined;
                    const message = new pluginproto.PackageParameterization();
                    message.setName(p.name);
                    message.setVersion(p.version);
                    message.setValue(p.value ?? "");
                    return message;
                };
                const response = new langproto.GetRequiredPackagesResponse();
                response.setPackagesList(
                    packages.map((p) => {
                        const dependency = new pluginproto.PackageDependency();
                        dependency.setName(p.name);
                        dependency.setKind("resource");
                        dependency.setVersion(p.version);
                        dependency.setServer(p.server);
                        dependency.setParameterization(parameterization(p.parameterization));
                        dependency.setExtension$(parameterization(p.extension));
                        return dependency;
                    }),
                );
                return response;
            }),
        run: (call: any, callback: any) =>
            respond(callback, async () => {
                const { error, bail } = await host.run(call.request, call);
                const response = new langproto.RunResponse();
                response.setError(error);
                response.setBail(bail);
                return response;
            }),
        getPluginInfo: (_call: any, callback: any) =>
            respond(callback, () => {
                const response = new pluginproto.PluginInfo();
                response.setVersion(hostVersion);
                return response;
            }),
        runtimeOptionsPrompts: (call: any, callback: any) =>
            respond(callback, () => {
                const response = new langproto.RuntimeOptionsResponse();
                const options = call.request.getInfo()?.getOptions()?.toJavaScript() ?? {};
                if (options.packagemanager === undefined) {
                    const string = langproto.RuntimeOptionPrompt.RuntimeOptionType.STRING;
                    const value = (text: string, display = text) => {
                        const v = new langproto.RuntimeOptionPrompt.RuntimeOptionValue();
                        v.setPrompttype(string);
                        v.setStringvalue(text);
                        v.setDisplayname(display);
                        return v;
                    };
                    const managers = ["npm", "pnpm", "yarn", "bun"].map((pm) => ({ pm, found: !!lookPath(pm) }));
                    const ordered = [...managers.filter((m) => m.found), ...managers.filter((m) => !m.found)];
                    const prompt = new langproto.RuntimeOptionPrompt();
                    prompt.setKey("packagemanager");
                    prompt.setDescription("The package manager to use for installing dependencies");
                    prompt.setPrompttype(string);
                    prompt.setChoicesList(ordered.map((m) => value(m.pm, m.found ? m.pm : `${m.pm} [not found]`)));
                    prompt.setDefault(value("npm"));
                    response.setPromptsList([prompt]);
                }
                return response;
            }),
        about: (call: any, callback: any) =>
            respond(callback, () => {
                const about = host.about(call.request.getInfo()?.getProgramDirectory() ?? ".");
                const response = new langproto.AboutResponse();
                response.setExecutable(about.executable);
                response.setVersion(about.version);
                if (about.typescript) response.getMetadataMap().set("typescriptVersion", about.typescript);
                return response;
            }),
        cancel: (_call: any, callback: any) =>
            respond(callback, () => {
                host.cancel();
                return new emptyproto.Empty();
            }),
        installDependencies: (call: any) => {
            call.emit("error", {
                code: grpc.status.UNIMPLEMENTED,
                details: `method InstallDependencies not implemented by the stand-in: ${installs}`,
            });
        },
        getProgramDependencies: unimplemented("GetProgramDependencies", installs),
        template: unimplemented("Template", installs),
        runPlugin: (call: any) => {
            call.emit("error", {
                code: grpc.status.UNIMPLEMENTED,
                details: "method RunPlugin not implemented by the stand-in: it runs programs, not plugins",
            });
        },
        generateProgram: unimplemented("GenerateProgram", "no code generation"),
        generateProject: unimplemented("GenerateProject", "no code generation"),
        generatePackage: unimplemented("GeneratePackage", "no code generation"),
        pack: unimplemented("Pack", "no code generation"),
        link: unimplemented("Link", "no code generation"),
    };
}

/** Every 5 minutes, the engine's health; once it fails (not UNIMPLEMENTED), `gone` (rpcutil/health.go). */
function watchEngine(address: string, gone: () => void): void {
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    const check = () =>
        client.makeUnaryRequest(
            "/grpc.health.v1.Health/Check",
            () => Buffer.alloc(0), // an empty HealthCheckRequest
            (b: Buffer) => b,
            {},
            (error) => {
                if (error && error.code !== grpc.status.UNIMPLEMENTED) gone();
                else setTimeout(check, 5 * 60_000).unref();
            },
        );
    setTimeout(check, 5 * 60_000).unref();
}

export async function main(args: string[]): Promise<void> {
    let flags: HostFlags;
    try {
        flags = parseFlags(args);
    } catch (error: any) {
        console.error(error.message);
        process.exit(2);
    }
    if (flags.version) {
        console.log(hostVersion);
        process.exit(0);
    }
    if (flags.runtime !== "nodejs") {
        console.error(`error: unsupported runtime: ${flags.runtime} (this stand-in runs node only)`);
        process.exit(1);
    }
    const host = new NodeLanguageHost(flags.engineAddress, flags.tracing);
    const server = new grpc.Server();
    server.addService(langrpc.LanguageRuntimeService, serve(host));
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
            error ? reject(error) : resolve(bound),
        ),
    );
    const stop = () => {
        host.cancel();
        server.forceShutdown();
    };
    process.on("SIGINT", stop); // upstream: an interrupt stops serving (main.go:152-161)
    if (flags.engineAddress) watchEngine(flags.engineAddress, stop);
    process.stdout.write(`${port}\n`);
}
