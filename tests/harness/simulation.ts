/**
 * An executing simulation of `pulumi up` and `pulumi destroy`: the real program under mocks, with a
 * small engine that keeps state between runs and a provider that runs each `command.local.Command`
 * the way @pulumi/command does, against the fake tools. Kubernetes objects are recorded, not applied;
 * installing the add-on's Release or ApplicationSet only sets a marker the fake controllers react to.
 */
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { FakeLab } from "./fakeLab";
import {
    MockResourceArgs,
    ProgramRun,
    Registration,
    projectRoot,
    reveal,
    runProgram,
    staticNewResource,
} from "./program";

interface SimResource {
    urn: string;
    type: string;
    name: string;
    id: string;
    /** Inputs as stored in state (secrets revealed: the simulation is the provider). */
    inputs: Record<string, any>;
    outputs: Record<string, any>;
    dependencies: string[];
    deletedWith: string;
    /** Left in place when deleted from state (the image cache's volumes). */
    retainOnDelete: boolean;
}

export interface UpResult {
    /** Names of the commands that ran, in the order they started. */
    executed: string[];
    /** Names of every resource the engine created, updated or replaced (at preview: would). */
    changed: string[];
    /** Names of the resources deleted because the program no longer declares them, in order. */
    deleted?: string[];
    error?: Error;
    run?: ProgramRun;
}

const key = (type: string, name: string) => `${type}::${name}`;

/**
 * Outputs for a step that failed or was skipped. The real engine never resolves them; here they
 * keep their shape so the program's own parsing does not fail first, and everything that depends
 * on the step is skipped, so they never reach a tool or the state.
 */
const placeholderOutputs = async (args: MockResourceArgs) => ({ id: "", state: (await staticNewResource(args)).state });

export class Simulation {
    /** The stack's state: what a real backend would hold between runs, by type::name. */
    private state = new Map<string, SimResource>();

    constructor(
        readonly lab: FakeLab,
        readonly stack: "kind" | "k3d" | "existing",
        readonly hubName = "hub",
    ) {}

    /** What made the clusters on the fake machine: the stack's runtime, or for existing the user (with kind). */
    private get madeBy(): "kind" | "k3d" {
        return this.stack === "existing" ? "kind" : this.stack;
    }

    /** Runs a command as the Command provider does; rejects with stdout and stderr on failure. */
    private execute(
        name: string,
        script: string,
        inputs: Record<string, any>,
    ): Promise<{ stdout: string; stderr: string }> {
        const [shell, ...shellArgs] = inputs.interpreter ?? ["/bin/sh", "-c"];
        return new Promise((resolve, reject) => {
            // The provider runs commands in its own working folder, the project's (see scripts/index.ts).
            const child = spawn(shell, [...shellArgs, script], {
                env: { ...this.lab.env(), ...(inputs.environment ?? {}) },
                cwd: inputs.dir ?? projectRoot,
            });
            let stdout = "";
            let stderr = "";
            let both = "";
            child.stdout.on("data", (d) => ((stdout += d), (both += d)));
            child.stderr.on("data", (d) => ((stderr += d), (both += d)));
            child.stdin.end(inputs.stdin ?? "");
            child.on("close", (code) => {
                stdout = stdout.replace(/\n$/, "");
                stderr = stderr.replace(/\n$/, "");
                if (code === 0) {
                    resolve({ stdout, stderr });
                } else {
                    // The provider's own wording (provider/pkg/provider/local/commandOutputs.go):
                    // `<exit error>: running "<command>":` and the combined output.
                    reject(new Error(`${name}: exit status ${code}: running ${JSON.stringify(script)}:\n${both}`));
                }
            });
        });
    }

    private docker(args: string[]): Promise<{ stdout: string; stderr: string }> {
        return this.execute(`docker ${args.join(" ")}`, ["docker", ...args].map((a) => `'${a}'`).join(" "), {
            interpreter: ["/bin/bash", "-c"],
        });
    }

    private hubMarker(name: string): string {
        return path.join(this.lab.state, this.lab.cluster(this.hubName, this.madeBy), "hub", name);
    }

    /** What the providers do on create/update, by resource type. */
    private async provide(type: string, name: string, inputs: Record<string, any>, previous?: SimResource) {
        switch (type) {
            case "command:local:Command": {
                const script = previous && inputs.update ? inputs.update : inputs.create;
                const { stdout, stderr } = await this.execute(name, script, inputs);
                return { ...inputs, stdout, stderr };
            }
            case "docker:index/network:Network":
                if (!previous) {
                    await this.docker(["network", "create", inputs.name]);
                }
                return { ...inputs };
            case "docker:index/remoteImage:RemoteImage":
                await this.docker(["pull", inputs.name]);
                return { ...inputs, imageId: inputs.name };
            case "docker:index/volume:Volume":
                await this.docker(["volume", "create", inputs.name]);
                return { ...inputs };
            case "docker:index/container:Container": {
                if (previous) {
                    await this.docker(["rm", "-f", previous.name]);
                }
                // A real mirror takes a while to pull and start: a cluster that does not wait for
                // its mirrors is then made before they run, and its fake runtime records them missing.
                await new Promise((resolve) => setTimeout(resolve, 1000));
                // What the docker provider asks the engine for, as a docker run line.
                const volume = inputs.volumes[0];
                await this.docker([
                    "run",
                    "-d",
                    "--name",
                    inputs.name,
                    "--network",
                    inputs.networksAdvanced[0].name,
                    "--volume",
                    `${volume.volumeName}:${volume.containerPath}`,
                    ...(inputs.ports ?? []).flatMap((p: { external: number; internal: number }) => [
                        "--publish",
                        `${p.external}:${p.internal}`,
                    ]),
                    ...inputs.envs.flatMap((e: string) => ["--env", e]),
                    inputs.image,
                ]);
                return { ...inputs };
            }
            case "kubernetes:helm.sh/v3:Release":
                fs.writeFileSync(this.hubMarker("addon-installed"), inputs.version);
                return { ...inputs, status: { status: "deployed" } };
            case "kubernetes:argoproj.io/v1alpha1:ApplicationSet":
                fs.writeFileSync(this.hubMarker("applicationset"), inputs.metadata.name);
                return { ...inputs };
            case "random:index/randomPassword:RandomPassword":
                return { ...inputs, result: randomBytes(12).toString("hex") };
            case "kubernetes:core/v1:Secret": {
                // Applied to the fake hub, where the fake kubectl reads it; stringData arrives as data.
                const data = Object.entries(inputs.stringData ?? {}).map(([key, value]) => [
                    key,
                    Buffer.from(String(value)).toString("base64"),
                ]);
                const { namespace, name } = inputs.metadata;
                this.lab.putObject(
                    this.hubName,
                    "secret",
                    namespace,
                    name,
                    { data: Object.fromEntries(data) },
                    this.madeBy,
                );
                return { ...inputs };
            }
            case "kubernetes:work.open-cluster-management.io/v1:ManifestWork": {
                // What the work agent acts on: the work, by its cluster namespace and name, holding
                // the namespace/name of the Pod it makes (the fake kubectl's reconcile_work).
                const marker = this.hubMarker(`manifestworks/${inputs.metadata.namespace}/${inputs.metadata.name}`);
                const pod = inputs.spec.workload.manifests[0].metadata;
                fs.mkdirSync(path.dirname(marker), { recursive: true });
                fs.writeFileSync(marker, `${pod.namespace}/${pod.name}`);
                return { ...inputs };
            }
            default:
                return { ...inputs };
        }
    }

    private async unprovide(resource: SimResource): Promise<void> {
        switch (resource.type) {
            case "command:local:Command":
                if (resource.inputs.delete) {
                    await this.execute(`${resource.name} (delete)`, resource.inputs.delete, resource.inputs);
                }
                return;
            case "docker:index/network:Network":
                await this.docker(["network", "rm", resource.inputs.name]);
                return;
            case "docker:index/container:Container":
                await this.docker(["rm", "-f", resource.inputs.name]);
                return;
            case "docker:index/volume:Volume":
                await this.docker(["volume", "rm", resource.inputs.name]);
                return;
            case "kubernetes:helm.sh/v3:Release":
                fs.rmSync(this.hubMarker("addon-installed"), { force: true });
                return;
            case "kubernetes:argoproj.io/v1alpha1:ApplicationSet":
                fs.rmSync(this.hubMarker("applicationset"), { force: true });
                return;
            case "kubernetes:core/v1:Secret": {
                const { namespace, name } = resource.inputs.metadata;
                fs.rmSync(this.lab.objectDir(this.hubName, "secret", namespace, name, this.madeBy), {
                    recursive: true,
                    force: true,
                });
                return;
            }
            case "kubernetes:work.open-cluster-management.io/v1:ManifestWork": {
                const { namespace, name } = resource.inputs.metadata;
                fs.rmSync(this.hubMarker(`manifestworks/${namespace}/${name}`), { force: true });
                return;
            }
        }
    }

    /**
     * `pulumi up` (or `pulumi preview`): the program registers its resources; for each, the engine
     * compares with state and creates, updates, replaces or leaves it.
     */
    /** `replace` names resources to replace whatever their inputs, as `pulumi up --replace` does. */
    async up(
        config: Record<string, unknown> = {},
        options: { preview?: boolean; replace?: string[] } = {},
    ): Promise<UpResult> {
        const executed: string[] = [];
        const changed: string[] = [];
        const registered: Registration[] = [];
        const pending = new Map<string, Record<string, any>>();

        // Like the engine after a failed step: nothing that depends on it runs, the rest goes on.
        const failedUrns = new Set<string>();
        const failures: Error[] = [];

        const newResource = async (args: MockResourceArgs) => {
            const { type, name, inputs, custom } = args;
            const plain = reveal(inputs);
            if (!custom) {
                return { id: "", state: {} };
            }
            const registration = registered.filter((r) => r.type === type && r.name === name).pop()!;
            if (registration.dependencies.some((urn) => failedUrns.has(urn))) {
                failedUrns.add(registration.urn);
                return placeholderOutputs(args);
            }
            const previous = this.state.get(key(type, name));
            const forced = previous !== undefined && (options.replace ?? []).includes(name);
            if (previous && !forced && isDeepStrictEqual(previous.inputs, plain)) {
                return { id: previous.id, state: previous.outputs };
            }
            if (options.preview || type.startsWith("pulumi:providers:")) {
                if (options.preview && custom && !type.startsWith("pulumi:providers:")) {
                    changed.push(name); // what the preview would list (providers are not kept in this state)
                }
                return { id: previous?.id ?? "", state: { ...plain } };
            }
            const replace = !previous || forced || !isDeepStrictEqual(previous.inputs.triggers, plain.triggers);
            try {
                if (previous && replace && registration.deleteBeforeReplace) {
                    await this.deleteDependentReplacements(previous);
                    await this.unprovide(previous);
                }
                if (type === "command:local:Command") {
                    executed.push(name);
                }
                const outputs = await this.provide(type, name, plain, replace ? undefined : previous);
                if (previous && replace && !registration.deleteBeforeReplace) {
                    await this.unprovide(previous);
                }
                changed.push(name);
                const id = replace ? `${name}-${randomBytes(4).toString("hex")}` : previous!.id;
                pending.set(key(type, name), { id, inputs: plain, outputs });
                return { id, state: outputs };
            } catch (error) {
                failures.push(error as Error);
                failedUrns.add(registration.urn);
                return placeholderOutputs(args);
            }
        };

        const commit = (resources: Registration[]) => {
            for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
                const result = pending.get(key(r.type, r.name));
                const previous = this.state.get(key(r.type, r.name));
                if (!result && !previous) {
                    continue; // failed or never reached: nothing in state
                }
                const { id, inputs, outputs } = (result ?? previous) as SimResource;
                this.state.set(key(r.type, r.name), {
                    urn: r.urn,
                    type: r.type,
                    name: r.name,
                    dependencies: r.dependencies,
                    deletedWith: r.deletedWith,
                    retainOnDelete: r.retainOnDelete,
                    id,
                    inputs,
                    outputs,
                });
            }
        };

        const run = await runProgram({
            stack: this.stack,
            config,
            preview: options.preview,
            newResource,
            onRegister: (r) => registered.push(r),
            localDir: path.join(this.lab.root, "local"),
        });
        if (options.preview) {
            return { executed, changed, run };
        }
        commit(run.resources);
        if (failures.length > 0) {
            // pulumi up reports every failed step; the first is enough for the tests' messages.
            return { executed, changed, run, error: failures[0] };
        }
        const { deleted } = await this.deleteMissing(run.resources);
        return { executed, changed, run, deleted };
    }

    /**
     * Before a delete-before-replace, the engine deletes the dependents that the replacement would
     * replace too (pulumi pkg/resource/deploy/step_generator.go calculateDependentReplacements): for
     * a Command, those whose triggers hold an output of the replaced resource. Here: its id, as a
     * step's triggers hold its cluster's. They leave the state and are created anew when registered.
     */
    private async deleteDependentReplacements(root: SimResource): Promise<void> {
        const replaced = new Set([root.id]);
        const dependents: SimResource[] = [];
        let found = true;
        while (found) {
            found = false;
            for (const r of this.state.values()) {
                const triggers: unknown[] = r.inputs.triggers ?? [];
                if (!dependents.includes(r) && r !== root && triggers.some((t) => replaced.has(t as string))) {
                    dependents.push(r);
                    replaced.add(r.id);
                    found = true;
                }
            }
        }
        await this.deleteInOrder(dependents);
    }

    /** Resources in state that the program no longer declares are deleted, dependents first. */
    private async deleteMissing(declared: Registration[]): Promise<{ deleted: string[]; skipped: string[] }> {
        const keep = new Set(declared.map((r) => key(r.type, r.name)));
        return this.deleteInOrder([...this.state.values()].filter((r) => !keep.has(key(r.type, r.name))));
    }

    /** `pulumi destroy`: everything in state, in reverse dependency order. */
    async destroy(): Promise<{ deleted: string[]; skipped: string[] }> {
        return this.deleteInOrder([...this.state.values()]);
    }

    private async deleteInOrder(doomed: SimResource[]): Promise<{ deleted: string[]; skipped: string[] }> {
        const doomedUrns = new Set(doomed.map((r) => r.urn));
        const deleted: string[] = [];
        const skipped: string[] = [];
        const remaining = new Set(doomed);
        while (remaining.size > 0) {
            // A resource may go once nothing still remaining depends on it.
            const ready = [...remaining].filter(
                (r) => ![...remaining].some((other) => other !== r && other.dependencies.includes(r.urn)),
            );
            if (ready.length === 0) {
                throw new Error("dependency cycle in state");
            }
            // Like the engine, delete everything that is ready at once.
            await Promise.all(
                ready.map(async (r) => {
                    remaining.delete(r);
                    if ((r.deletedWith && doomedUrns.has(r.deletedWith)) || r.retainOnDelete) {
                        skipped.push(r.name);
                    } else {
                        await this.unprovide(r);
                        deleted.push(r.name);
                    }
                    this.state.delete(key(r.type, r.name));
                }),
            );
        }
        return { deleted, skipped };
    }

    /** Names in state, for assertions. */
    stateNames(): string[] {
        return [...this.state.values()].map((r) => r.name);
    }
}
