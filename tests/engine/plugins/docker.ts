/**
 * Stand-in for the docker provider (`pulumi-resource-docker`), test infrastructure only: the Go module
 * proxy refuses pulumi-docker, so the engine tier cannot build the real one. It makes what the lab
 * declares on the real Docker engine that .ci/run starts, through the real `docker` CLI named by
 * absolute path in REAL_DOCKER (never the fake on PATH).
 *
 * Emulates the four types the lab uses, as @pulumi/docker 5.2.0 declares them. Which inputs replace
 * was read from kreuzwerker/terraform-provider-docker v3.9.0 (internal/provider/resource_docker_*.go,
 * `ForceNew`), the upstream pulumi-docker bridges; the exact upstream commit behind 5.2.0 was not
 * checked:
 * - Network: every input replaces. Create `docker network create`; delete `docker network rm`.
 * - Volume: every input replaces. Delete `docker volume rm` (retainOnDelete is the engine's).
 * - RemoteImage: `name`, `pullTriggers`, `triggers` and `platform` replace. Create uses the local
 *   image, pulling only when it is missing; `imageId` is the image's id. Delete removes the image
 *   unless `keepLocally`.
 * - Container: everything but `restart`, `mustRun` and the other updatable fields replaces. Create
 *   is `docker create` then `docker start`; with `mustRun` (default true) a container that is not
 *   running after start fails. Delete is `docker rm -f`.
 *
 * One deliberate difference, so that nothing a test container does leaves this machine: every network
 * is made `--internal` (no route off the host) and every container gets `--dns 127.0.0.1` (no name
 * outside resolves). A mirror then never reaches its upstream registry; offline, the pinned registry
 * exits at start and its restart policy starts it again, as on a user's machine without a network.
 *
 * Left out: build, registry auth, ports, devices, healthchecks, uploads, import and refresh (read),
 * and every input the lab does not set. An input the program stops setting is not seen as a change:
 * the SDK's provider server hands diff the old outputs, not the old inputs.
 */
import { spawn } from "child_process";
import * as provider from "@pulumi/pulumi/provider";
import { reveal, typeOf } from "./wire";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Inputs that an update can change without a new resource (terraform-provider-docker v3.9.0). */
const updatable: Record<string, string[]> = {
    Network: [],
    Volume: [],
    RemoteImage: ["keepLocally", "forceRemove", "build"],
    Container: [
        "restart",
        "mustRun",
        "start",
        "attach",
        "logs",
        "rm",
        "wait",
        "waitTimeout",
        "destroyGraceSeconds",
        "removeVolumes",
        "maxRetryCount",
        "memory",
        "memorySwap",
        "cpuShares",
    ],
};

function dockerBinary(): string {
    const binary = process.env.REAL_DOCKER;
    if (!binary || !binary.startsWith("/")) {
        throw new Error("the docker stand-in needs REAL_DOCKER, the real docker CLI's absolute path");
    }
    return binary;
}

/** Runs the real docker CLI; rejects with its output, as the provider reports a daemon error. */
function docker(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(dockerBinary(), args);
        let stdout = "";
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), (output += d)));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0 ? resolve(stdout.trim()) : reject(new Error(`docker ${args[0]}: ${output.trim()}`)),
        );
    });
}

const labelFlags = (labels?: { label: string; value: string }[]) =>
    (labels ?? []).flatMap((l) => ["--label", `${l.label}=${l.value}`]);

export class DockerProvider implements provider.Provider {
    readonly version = "5.2.0";

    async diff(_id: string, urn: string, olds: any, news: any): Promise<provider.DiffResult> {
        const kind = typeOf(urn);
        // olds are the outputs, a superset of the inputs: an input the program stops setting is not seen.
        const inputKeys = Object.keys(news);
        const changed = inputKeys.filter((key) => !same(reveal(olds[key]), reveal(news[key])));
        return {
            changes: changed.length > 0,
            replaces: changed.filter((key) => !(updatable[kind] ?? []).includes(key)),
        };
    }

    async create(urn: string, inputs: any): Promise<provider.CreateResult> {
        const plain = reveal(inputs);
        switch (typeOf(urn)) {
            case "Network": {
                const id = await docker([
                    "network",
                    "create",
                    "--driver",
                    plain.driver ?? "bridge",
                    "--internal", // the deliberate difference above

                    ...(plain.attachable ? ["--attachable"] : []),
                    ...labelFlags(plain.labels),
                    plain.name,
                ]);
                return { id, outs: { ...plain, driver: plain.driver ?? "bridge" } };
            }
            case "Volume": {
                await docker(["volume", "create", ...labelFlags(plain.labels), plain.name]);
                const mountpoint = await docker(["volume", "inspect", "--format", "{{.Mountpoint}}", plain.name]);
                return { id: plain.name, outs: { ...plain, driver: plain.driver ?? "local", mountpoint } };
            }
            case "RemoteImage": {
                let imageId = await docker(["image", "inspect", "--format", "{{.Id}}", plain.name]).catch(() => "");
                if (!imageId) {
                    await docker(["pull", plain.name]);
                    imageId = await docker(["image", "inspect", "--format", "{{.Id}}", plain.name]);
                }
                return { id: `${imageId}${plain.name}`, outs: { ...plain, imageId, repoDigest: imageId } };
            }
            case "Container":
                return this.createContainer(plain);
            default:
                throw new Error(`the docker stand-in does not emulate ${urn}`);
        }
    }

    private async createContainer(plain: any): Promise<provider.CreateResult> {
        const id = await docker([
            "create",
            "--name",
            plain.name,
            "--dns", // the deliberate difference above
            "127.0.0.1",
            ...(plain.restart ? ["--restart", plain.restart] : []),
            ...(plain.envs ?? []).flatMap((e: string) => ["--env", e]),
            ...labelFlags(plain.labels),
            ...(plain.networksAdvanced ?? []).slice(0, 1).flatMap((n: { name: string }) => ["--network", n.name]),
            ...(plain.volumes ?? []).flatMap((v: { volumeName?: string; hostPath?: string; containerPath: string }) => [
                "--volume",
                `${v.volumeName ?? v.hostPath}:${v.containerPath}`,
            ]),
            plain.image,
            ...(plain.command ?? []),
        ]);
        for (const network of (plain.networksAdvanced ?? []).slice(1)) {
            await docker(["network", "connect", network.name, id]);
        }
        await docker(["start", id]);
        if (plain.mustRun ?? true) {
            const running = await docker(["inspect", "--format", "{{.State.Running}}", id]);
            if (running !== "true") {
                throw new Error(`container ${plain.name} exited after start and mustRun is set`);
            }
        }
        return { id, outs: { ...plain, mustRun: plain.mustRun ?? true } };
    }

    async update(id: string, urn: string, _olds: any, news: any): Promise<provider.UpdateResult> {
        const plain = reveal(news);
        if (typeOf(urn) === "Container" && plain.restart) {
            await docker(["update", "--restart", plain.restart, id]);
        }
        return { outs: plain };
    }

    async delete(id: string, urn: string, props: any): Promise<void> {
        const plain = reveal(props);
        switch (typeOf(urn)) {
            case "Network":
                await docker(["network", "rm", plain.name]);
                return;
            case "Volume":
                await docker(["volume", "rm", plain.name]);
                return;
            case "RemoteImage":
                if (!plain.keepLocally) {
                    await docker(["image", "rm", ...(plain.forceRemove ? ["--force"] : []), plain.name]);
                }
                return;
            case "Container":
                await docker(["rm", "-f", id]);
                return;
        }
    }
}

export async function main(args: string[]): Promise<void> {
    await provider.main(new DockerProvider(), args);
}
