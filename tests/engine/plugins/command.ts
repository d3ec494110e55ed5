/**
 * Stand-in for the command provider (`pulumi-resource-command`), test infrastructure only: the Go
 * module proxy refuses pulumi-command and pulumi-go-provider, so the engine tier cannot build the
 * real one. The engine finds this on PATH (tests/engine/plugins/bin), never on a user's machine.
 *
 * Emulates `command:local:Command` of pulumi-command v1.2.1, read from
 * provider/pkg/provider/local/commandController.go, commandOutputs.go, base.go and
 * common/inputs.go at tag v1.2.1:
 * - Create runs `create`; Update runs `update ?? create`; Delete runs `delete`, with the inputs
 *   stored in state. A change to `triggers` replaces (its `replaceOnChanges` tag); any other input
 *   change updates in place.
 * - Preview: pulumi-go-provider answers Configure with supportsPreview, so the engine calls Create and
 *   Update at preview too (sdk v3.274.1 go/common/resource/plugin/provider_plugin.go:1425-1439,
 *   1700-1715). Create makes the resource's ID before it looks at the preview flag
 *   (commandController.go:41-50), so a new Command has a known ID at preview, its name and 8 random
 *   hex digits; neither runs a command. The inputs come back as outputs; stdout and stderr are unknown
 *   (pulumi-go-provider v1.3.0 infer/resource.go:545-590: every output depends on every input).
 * - interpreter (default `/bin/sh -c`), dir (default the provider's working folder, which the engine
 *   sets to the project's), environment appended to the provider's own, stdin, and
 *   addPreviousOutputInEnv (PULUMI_COMMAND_STDOUT/STDERR from the previous run, on by default).
 * - logging: the lines of the streams it names go to the engine as ephemeral info messages on the
 *   resource, as util.LogOutput does; stdout and stderr are outputs either way.
 * - A failure reads `<exit error>: running "<command>":` and the combined output; stdout and stderr
 *   lose one trailing newline.
 * - Each command runs in its own child process and the provider answers other calls meanwhile, as
 *   the real one runs each request on its own goroutine: the engine's parallelism is not hidden.
 * - Secret inputs are unwrapped to run. The outputs that mirror inputs keep each secret where the
 *   input had it, by property path: a secret value inside `environment` stays secret, its other
 *   keys do not (pulumi-go-provider v1.3.0 infer/internal/ende/ende.go:172-195, 349-367). stdout and
 *   stderr are never made secret by the provider (infer/resource.go:754-807: only same-named inputs
 *   carry secretness); the program asks the engine for that (`additionalSecretOutputs`,
 *   local/base.go:39-41).
 * - Cancel (the engine sends it at the first Ctrl-C): pulumi-go-provider v1.3.0's cancel middleware
 *   (middleware/cancel/cancel.go:40-95) cancels the context of every operation under way and of every
 *   later one (evict/pool.go:87-94). exec.CommandContext then kills the interpreter alone, with
 *   SIGKILL: what it started lives on, and since its stdout and stderr are pipes and WaitDelay is 0,
 *   the operation ends only when those children close them, with `signal: killed: running "<cmd>":`
 *   and the output (local/commandOutputs.go:44-59, 112-113); a later operation fails at once with
 *   `context canceled`. Nothing of a cancelled create is kept. The provider handles no signal itself:
 *   the engine's SIGINT to the plugin's process group when it closes it reaches the children too.
 *
 * - A failed create keeps nothing in state (its error is not an init error: infer/resource.go:
 *   1271-1292), so the next `up` runs it again; a failed update keeps the old state (1462-1463).
 *
 * Left out: `command:remote:*`, `command:local:run`, assetPaths/archivePaths, the Windows
 * interpreter, and the per-operation timeouts the cancel middleware takes from `customTimeouts`
 * (middleware/cancel/cancel.go:44-54, 82-91: the lab sets none).
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import { EngineLog, engineAddress, nameOf, reveal } from "./wire";

/** The inputs of a Command (pulumi-command common.ResourceInputs and local.BaseInputs). */
const inputKeys = [
    "triggers",
    "create",
    "update",
    "delete",
    "stdin",
    "logging",
    "interpreter",
    "dir",
    "environment",
    "assetPaths",
    "archivePaths",
    "addPreviousOutputInEnv",
];

interface CommandInputs {
    create?: string;
    update?: string;
    delete?: string;
    stdin?: string;
    logging?: "stdout" | "stderr" | "stdoutAndStderr" | "none";
    interpreter?: string[];
    dir?: string;
    environment?: Record<string, string>;
    addPreviousOutputInEnv?: boolean;
}

interface Previous {
    stdout?: string;
    stderr?: string;
}

/** How Go names the signals a step can end by (syscall/zerrors_linux_amd64.go signals table). */
const goSignalNames: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: "killed",
    SIGINT: "interrupt",
    SIGTERM: "terminated",
    SIGHUP: "hangup",
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class CommandProvider implements provider.Provider {
    readonly version = "1.2.1";
    /** Set by Cancel: every operation's context is done from then on. */
    private cancelled = false;
    /** The interpreters under way, which Cancel kills. */
    private readonly running = new Set<ChildProcess>();

    constructor(private readonly log: EngineLog) {}

    async cancel(): Promise<void> {
        this.cancelled = true;
        for (const child of this.running) {
            child.kill("SIGKILL"); // the interpreter only, never its process group
        }
    }

    async diff(_id: string, _urn: string, olds: any, news: any): Promise<provider.DiffResult> {
        const changed = inputKeys.filter((key) => !same(reveal(olds[key]), reveal(news[key])));
        return {
            changes: changed.length > 0,
            replaces: changed.includes("triggers") ? ["triggers"] : [],
        };
    }

    /** resource.NewUniqueHex(name, 8, 0): the name and 8 random hex digits. */
    newId(urn: string): string {
        return `${nameOf(urn)}${randomBytes(4).toString("hex")}`;
    }

    async create(urn: string, inputs: any): Promise<provider.CreateResult> {
        const plain: CommandInputs = reveal(inputs);
        const streams = plain.create !== undefined ? await this.run(urn, plain.create, plain, {}) : {};
        return { id: this.newId(urn), outs: { ...inputs, stdout: "", stderr: "", ...streams } };
    }

    async update(_id: string, urn: string, olds: any, news: any): Promise<provider.UpdateResult> {
        const plain: CommandInputs = reveal(news);
        const previous: Previous = reveal(olds);
        const script = plain.update ?? plain.create;
        const streams = script !== undefined ? await this.run(urn, script, plain, previous) : {};
        // the inputs as given, each secret where it was; the streams the previous run left, or this run's
        return { outs: { ...news, stdout: previous.stdout ?? "", stderr: previous.stderr ?? "", ...streams } };
    }

    async delete(_id: string, urn: string, props: any): Promise<void> {
        const plain: CommandInputs & Previous = reveal(props);
        if (plain.delete !== undefined) {
            await this.run(urn, plain.delete, plain, plain);
        }
    }

    /** commandOutputs.go `run`: the command through its interpreter; resolves with the trimmed streams. */
    private run(urn: string, script: string, inputs: CommandInputs, previous: Previous): Promise<Previous> {
        const [program, ...args] = inputs.interpreter?.length ? inputs.interpreter : ["/bin/sh", "-c"];
        const env: NodeJS.ProcessEnv = { ...process.env, ...(inputs.environment ?? {}) };
        if (inputs.addPreviousOutputInEnv ?? true) {
            if (previous.stdout) {
                env.PULUMI_COMMAND_STDOUT = previous.stdout;
            }
            if (previous.stderr) {
                env.PULUMI_COMMAND_STDERR = previous.stderr;
            }
        }
        const logging = inputs.logging ?? "stdoutAndStderr";
        const logStdout = logging === "stdout" || logging === "stdoutAndStderr";
        const logStderr = logging === "stderr" || logging === "stdoutAndStderr";
        if (this.cancelled) {
            // exec.CommandContext with a context already done: Start fails at once
            return Promise.reject(new Error(`context canceled: running ${JSON.stringify(script)}:\n`));
        }
        return new Promise((resolve, reject) => {
            const child = spawn(program, [...args, script], { cwd: inputs.dir ?? process.cwd(), env });
            this.running.add(child);
            child.on("exit", () => this.running.delete(child));
            let stdout = "";
            let stderr = "";
            let both = "";
            const pendingLogs: Promise<void>[] = [];
            const lineLogger = (enabled: boolean) => {
                let partial = "";
                return {
                    write: (chunk: string) => {
                        if (!enabled) {
                            return;
                        }
                        const lines = (partial + chunk).split("\n");
                        partial = lines.pop() ?? "";
                        lines.forEach((line) => pendingLogs.push(this.log.info(urn, line)));
                    },
                    end: () => {
                        if (enabled && partial !== "") {
                            pendingLogs.push(this.log.info(urn, partial));
                        }
                    },
                };
            };
            const outLog = lineLogger(logStdout);
            const errLog = lineLogger(logStderr);
            child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), (both += d), outLog.write(d)));
            child.stderr.setEncoding("utf8").on("data", (d: string) => ((stderr += d), (both += d), errLog.write(d)));
            child.stdin.on("error", () => undefined); // a command that does not read stdin may exit first
            child.stdin.end(inputs.stdin ?? "");
            child.on("error", (error) => reject(new Error(`${error.message}: running ${JSON.stringify(script)}:\n`)));
            child.on("close", async (code, signal) => {
                outLog.end();
                errLog.end();
                await Promise.all(pendingLogs);
                if (code === 0) {
                    resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
                } else {
                    // Go's exec.ExitError reads "exit status N", or "signal: killed" and the like (the
                    // signal's description, Go's syscall.Signal.String).
                    const exit = signal ? `signal: ${goSignalNames[signal] ?? signal}` : `exit status ${code}`;
                    reject(new Error(`${exit}: running ${JSON.stringify(script)}:\n${both}`));
                }
            });
        });
    }
}

/**
 * The SDK's provider server neither offers previews in its Configure answer nor hands the preview
 * flag to the provider, so its Configure, Create and Update handlers are wrapped: Configure says
 * supportsPreview, and a preview's Create or Update is answered here, running nothing.
 */
function servePreviews(commands: CommandProvider): void {
    const protos = require("@pulumi/pulumi/proto/provider_pb.js");
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: any, implementation: any) {
        const { configure, create, update } = implementation;
        if (configure && create && update) {
            implementation.configure = (call: any, callback: any) =>
                configure.call(implementation, call, (error: any, response: any) => {
                    response?.setSupportspreview(true);
                    callback(error, response);
                });
            implementation.create = (call: any, callback: any) => {
                if (!call.request.getPreview()) {
                    return create.call(implementation, call, callback);
                }
                const response = new protos.CreateResponse();
                response.setId(commands.newId(call.request.getUrn()));
                response.setProperties(call.request.getProperties());
                callback(undefined, response);
            };
            implementation.update = (call: any, callback: any) => {
                if (!call.request.getPreview()) {
                    return update.call(implementation, call, callback);
                }
                const response = new protos.UpdateResponse();
                response.setProperties(call.request.getNews());
                callback(undefined, response);
            };
        }
        return addService.call(this, service, implementation);
    };
}

export async function main(args: string[]): Promise<void> {
    const commands = new CommandProvider(new EngineLog(engineAddress(args)));
    servePreviews(commands);
    await provider.main(commands, args);
}
