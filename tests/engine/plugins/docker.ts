/**
 * Stand-in for the docker provider (`pulumi-resource-docker`), test infrastructure only: the Go module
 * proxy refuses pulumi-docker, so the engine tier cannot build the real one. It makes what the lab
 * declares on the real Docker engine that .ci/run starts, through the real `docker` CLI named by
 * absolute path in REAL_DOCKER (never the fake on PATH).
 *
 * Emulates the four types the lab uses, as @pulumi/docker declares them. Read from
 * kreuzwerker/terraform-provider-docker v4.5.0, which pulumi-docker v5.1.0 bridges (its `upstream`
 * submodule; "Upgrade terraform-provider-docker to v4.5.0"). The 5.2.0 package the lab installs
 * was not found as a tag to read: its container adds `deviceCgroupRules`, so it bridges a later
 * upstream (most likely v4.6.0); nothing below depends on that field. Files are under
 * internal/provider/:
 * - Network: every input replaces (resource_docker_network.go:17-143, no update). Create `docker
 *   network create`; delete `docker network rm`.
 * - Volume: every input but `cluster` replaces (resource_docker_volume.go:73-151). Delete `docker
 *   volume rm` (retainOnDelete is the engine's).
 * - RemoteImage: all but `keepLocally`, `forceRemove` and `build` replace (resource_docker_image.go:
 *   55-89). Create uses the local image, pulling only when it is missing (image_funcs.go:343-378);
 *   `imageId` is the image's id. Delete removes the image unless `keepLocally` (190-216).
 * - Container: all but the 26 inputs of `updatable` replace (resource_docker_container.go), and
 *   pulumi-docker replaces it deleting first (`DeleteBeforeReplace`, provider/resources.go:114 at
 *   v5.1.0), its name being fixed. Create is `docker create`, then the extra networks, then `docker
 *   start` (resource_docker_container_funcs.go:456-588). Create never reads `mustRun` (default true):
 *   its closing read records `mustRun: false` for a container not running (812-824), and an update
 *   that takes `mustRun` from false back to true starts it (997-1013); `restart` is updated in place
 *   (1016-1074). A create that fails once the container exists keeps it in state, as the bridge's
 *   init error does (the ID is set at 456-460): the engine updates it at the next `up`. Delete is
 *   `docker rm -f`.
 *
 * One deliberate difference, so that nothing a test container does leaves this machine: every network
 * is made `--internal` (no route off the host) and every container gets `--dns 127.0.0.1` (no name
 * outside resolves). A mirror then never reaches its upstream registry; offline, the pinned registry
 * exits at start and its restart policy starts it again, as on a user's machine without a network.
 *
 * Left out: build, registry auth, ports, devices, healthchecks and `wait`, uploads, `attach`, the
 * other updatable container fields (recorded, not applied), a network's or volume's failing closing
 * read, import and refresh (read: a container gone or stopped outside Pulumi is seen only at the next
 * create or update), and every input the lab does not set. An input the program stops setting is not
 * seen as a change: the SDK's provider server hands diff the old outputs, not the old inputs.
 */
import { spawn } from "child_process";
import * as provider from "@pulumi/pulumi/provider";
import { reveal, typeOf } from "./wire";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Inputs that an update can change without a new resource (terraform-provider-docker v4.5.0). */
const updatable: Record<string, string[]> = {
    Network: [],
    Volume: ["cluster"],
    RemoteImage: ["keepLocally", "forceRemove", "build"],
    Container: [
        "rm",
        "start",
        "wait",
        "waitTimeout",
        "attach",
        "logs",
        "mustRun",
        "restart",
        "maxRetryCount",
        "removeVolumes",
        "tmpfs",
        "deviceReadBps",
        "deviceReadIops",
        "deviceWriteBps",
        "deviceWriteIops",
        "destroyGraceSeconds",
        "memory",
        "memoryReservation",
        "memorySwap",
        "cpuShares",
        "cpuSet",
        "healthcheck",
        "containerReadRefreshTimeoutMilliseconds",
        "init",
        "cpuPeriod",
        "cpuQuota",
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
        const replaces = changed.filter((key) => !(updatable[kind] ?? []).includes(key));
        return {
            changes: changed.length > 0,
            replaces,
            deleteBeforeReplace: kind === "Container" && replaces.length > 0,
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
        const outs = { ...plain, mustRun: plain.mustRun ?? true };
        try {
            for (const network of (plain.networksAdvanced ?? []).slice(1)) {
                await docker(["network", "connect", network.name, id]);
            }
            if (plain.start ?? true) {
                await docker(["start", id]);
            }
        } catch (error) {
            // the container exists: it stays in state, with the error, as the bridge's init error keeps it
            throw Object.assign(new Error((error as Error).message), {
                id,
                properties: outs,
                reasons: [(error as Error).message],
            });
        }
        return { id, outs: await this.closingRead(id, outs) };
    }

    /** The read that ends a create or update: a container not running is recorded with `mustRun: false`. */
    private async closingRead(id: string, outs: any): Promise<any> {
        const running = await docker(["inspect", "--format", "{{.State.Running}}", id]);
        return running === "true" ? outs : { ...outs, mustRun: false };
    }

    async update(id: string, urn: string, olds: any, news: any): Promise<provider.UpdateResult> {
        const plain = reveal(news);
        if (typeOf(urn) !== "Container") {
            return { outs: plain };
        }
        const outs = { ...plain, mustRun: plain.mustRun ?? true };
        if (reveal(olds).mustRun === false && outs.mustRun && (plain.start ?? true)) {
            await docker(["start", id]);
        }
        if (plain.restart) {
            await docker(["update", "--restart", plain.restart, id]);
        }
        return { outs: await this.closingRead(id, outs) };
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
