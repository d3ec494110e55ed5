/**
 * The image cache's mirror on a real Docker engine: the container the program declares (image,
 * environment, volume mount, restart policy, no published port), run by `docker run`, with only
 * its names and its upstream changed for the test:
 *
 * - names: `ocm-lab-test-…`, so a lab or cache on the machine is never touched;
 * - upstream: a second registry on the test's network stands in for quay.io, since nothing
 *   beyond this machine may be reached. An image is pushed there through the registry API.
 *
 * What it shows: the registry honours the environment the program gives it; an image pulled through
 * the mirror is stored in the volume; a second mirror on the same volume (the next lab, or the
 * next `up` after a destroy) serves the image's blobs without asking the upstream for them, and
 * goes on serving them when the upstream goes away; a mirror started while its upstream is
 * unreachable exits and is brought back by its restart policy once the upstream answers; and with
 * expiry off no schedule file is written into the shared volume.
 *
 * What it cannot show: a kind or k3d node's containerd pulling through the mirror, or falling
 * back to the upstream when the mirror is down (no node image can run here); the generated node
 * configs are checked against their formats in tests/mirrors.test.ts instead.
 */
import { createHash, randomBytes } from "crypto";
import { runProgram } from "./harness/program";
import { resource } from "./harness/graph";
import { addressOn, docker, ensureRegistryImage, requireDocker, waitForRegistry } from "./harness/docker";
import { versions } from "../versions";

jest.setTimeout(180_000);

const prefix = `ocm-lab-test-${process.pid}`;
const network = `${prefix}-net`;
const upstream = `${prefix}-upstream`;
const volume = `${prefix}-cache`;
const made: { containers: string[]; volumes: string[] } = { containers: [], volumes: [] };

/** An image in the upstream, as quay.io would hold it. */
const repository = "open-cluster-management/registration-operator";
const tag = "v1.3.1";

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** The mirror of quay.io exactly as the program declares it (kind stack; the k3d one is the same). */
let declared: Record<string, any>;
/** The image its container runs: the RemoteImage's (under mocks the image ID is not known). */
let declaredImage: string;
let upstreamAddress: string;

beforeAll(async () => {
    requireDocker();
    const run = await runProgram({ stack: "kind" });
    declared = resource(run, "mirror-quay.io", "docker:index/container:Container").inputs;
    declaredImage = resource(run, "registry-image", "docker:index/remoteImage:RemoteImage").inputs.name;
    expect(ensureRegistryImage()).toMatch(/^(real|stand-in)$/);
    expect(docker(["network", "create", network]).ok).toBe(true);
    // the upstream: a plain registry (no proxy), to which each test pushes the image it pulls
    made.containers.push(upstream);
    const started = docker([
        "run",
        "-d",
        "--pull",
        "never",
        "--name",
        upstream,
        "--network",
        network,
        versions.registryMirror,
    ]);
    expect(started.output).toMatch(/^[0-9a-f]{64}\s*$/);
    upstreamAddress = addressOn(upstream, network);
    await waitForRegistry(upstreamAddress);
});

afterAll(() => {
    for (const container of made.containers) {
        docker(["rm", "-f", "--volumes", container]); // with the upstream's own anonymous volume
    }
    for (const v of made.volumes) {
        docker(["volume", "rm", v]);
    }
    docker(["network", "rm", network]);
});

/**
 * `docker run` for the declared mirror: its image, environment, mount path and restart policy,
 * with the test's names and upstream in place of the lab's.
 */
function runMirror(name: string, env: string[] = declared.envs): void {
    const envs = env.map((e) =>
        e.startsWith("REGISTRY_PROXY_REMOTEURL=") ? `REGISTRY_PROXY_REMOTEURL=http://${upstream}:5000` : e,
    );
    const mount = declared.volumes[0];
    const args = [
        "run",
        "-d",
        "--pull",
        "never", // never reach a registry beyond this machine
        "--name",
        name,
        "--network",
        network,
        "--volume",
        `${volume}:${mount.containerPath}`,
        "--restart",
        declared.restart,
        ...envs.flatMap((e) => ["--env", e]),
        ...(declared.ports ?? []).flatMap((p: any) => ["--publish", `${p.external}:${p.internal}`]),
        declaredImage,
    ];
    made.containers.push(name);
    made.volumes.push(volume);
    const started = docker(args);
    if (!started.ok) {
        throw new Error(`docker run of the mirror failed: ${started.output}`);
    }
}

/** Polls until `condition` holds, or fails after `seconds`. */
async function eventually(condition: () => boolean, seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!safely(condition)) {
        if (Date.now() > deadline) {
            throw new Error(`not so within ${seconds}s: ${condition.toString()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

const safely = (condition: () => boolean) => {
    try {
        return condition();
    } catch {
        return false;
    }
};

/** Pushes a two-blob image (config and a random layer) to a registry through the registry API. */
async function pushImage(address: string): Promise<{ manifest: Buffer; blobs: string[] }> {
    const base = `http://${address}:5000/v2/${repository}`;
    const upload = async (data: Buffer) => {
        const digest = sha256(data);
        const started = await fetch(`${base}/blobs/uploads/`, { method: "POST" });
        expect(started.status).toBe(202);
        const location = new URL(started.headers.get("location")!, `http://${address}:5000`);
        location.searchParams.set("digest", digest);
        const put = await fetch(location, {
            method: "PUT",
            body: new Uint8Array(data),
            headers: { "content-type": "application/octet-stream" },
        });
        expect(put.status).toBe(201);
        return { digest, size: data.length };
    };
    const layer = randomBytes(256 * 1024);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers" } }));
    const layerBlob = await upload(layer);
    const configBlob = await upload(config);
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configBlob },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layerBlob }],
        }),
    );
    const put = await fetch(`${base}/manifests/${tag}`, {
        method: "PUT",
        body: new Uint8Array(manifest),
        headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(put.status).toBe(201);
    return { manifest, blobs: [layerBlob.digest, configBlob.digest] };
}

/** What a node's containerd asks a mirror for: the manifest by tag, then each blob by digest. */
async function pull(address: string, blobs: string[]): Promise<{ manifest: string; blobs: string[] }> {
    const base = `http://${address}:5000/v2/${repository}`;
    const manifest = await fetch(`${base}/manifests/${tag}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(manifest.status).toBe(200);
    const fetched = await Promise.all(
        blobs.map(async (digest) => {
            const blob = await fetch(`${base}/blobs/${digest}`);
            expect(blob.status).toBe(200);
            return sha256(Buffer.from(await blob.arrayBuffer()));
        }),
    );
    return { manifest: sha256(Buffer.from(await manifest.arrayBuffer())), blobs: fetched };
}

/** Blob requests the upstream has served so far (its access log). */
const upstreamBlobRequests = () =>
    (docker(["logs", upstream]).output.match(new RegExp(`GET /v2/${repository}/blobs/sha256:[0-9a-f]+`, "g")) ?? [])
        .length;

describe("a mirror as the program declares it, on a real Docker engine", () => {
    it("is the pinned registry with expiry off, a cache volume at the registry's store, and no published port", () => {
        expect(declaredImage).toBe(versions.registryMirror);
        expect(declared.envs).toEqual(["REGISTRY_PROXY_REMOTEURL=https://quay.io", "REGISTRY_PROXY_TTL=0"]);
        expect(declared.volumes[0].containerPath).toBe("/var/lib/registry");
        expect(declared.ports).toBeUndefined();
    });

    it("pulls an image through once; the next mirror on the same volume serves its blobs without the upstream", async () => {
        const pushed = await pushImage(upstreamAddress);
        const before = upstreamBlobRequests();

        // first lab: its mirror fetches from the upstream and keeps what it fetched
        runMirror(`${prefix}-mirror-1`);
        const first = addressOn(`${prefix}-mirror-1`, network);
        await waitForRegistry(first);
        const pulled = await pull(first, pushed.blobs);
        expect(pulled).toEqual({ manifest: sha256(pushed.manifest), blobs: pushed.blobs });
        expect(upstreamBlobRequests() - before).toBe(2);
        // the registry stores a proxied blob once it has streamed it: wait for the write to land
        await new Promise((resolve) => setTimeout(resolve, 1000));

        // destroy: the container goes, the volume stays
        expect(docker(["rm", "-f", `${prefix}-mirror-1`]).ok).toBe(true);
        expect(docker(["volume", "inspect", volume]).ok).toBe(true);

        // the next lab's mirror on the same volume: blobs from the cache, the upstream asked for the manifest only
        runMirror(`${prefix}-mirror-2`);
        const second = addressOn(`${prefix}-mirror-2`, network);
        await waitForRegistry(second);
        const beforeSecond = upstreamBlobRequests();
        expect(await pull(second, pushed.blobs)).toEqual({ manifest: sha256(pushed.manifest), blobs: pushed.blobs });
        expect(upstreamBlobRequests()).toBe(beforeSecond);

        // the upstream gone while the mirror runs: every blob still comes from the cache
        expect(docker(["stop", upstream]).ok).toBe(true);
        for (const digest of pushed.blobs) {
            const blob = await fetch(`http://${second}:5000/v2/${repository}/blobs/${digest}`);
            expect(blob.status).toBe(200);
            expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(digest);
        }

        // expiry off: no schedule file in the shared volume (one mirror's schedule would fight another's)
        expect(docker(["cp", `${prefix}-mirror-2:/var/lib/registry/scheduler-state.json`, "-"]).ok).toBe(false);
    });

    it("started while its upstream is unreachable, a mirror exits and restarts until the upstream answers", async () => {
        // why the program sets mustRun false: offline, a mirror is often found stopped, which with
        // mustRun would make every later up update it
        expect(declared.mustRun).toBe(false);
        expect(declared.restart).toBe("unless-stopped");
        expect(docker(["stop", upstream]).ok).toBe(true);
        runMirror(`${prefix}-mirror-3`);
        const state = () =>
            docker(["inspect", "--format", "{{.State.Running}} {{.RestartCount}}", `${prefix}-mirror-3`]).stdout;
        await eventually(() => Number(state().split(" ")[1]) >= 1, 30);

        expect(docker(["start", upstream]).ok).toBe(true);
        upstreamAddress = addressOn(upstream, network);
        await waitForRegistry(upstreamAddress);
        const pushed = await pushImage(upstreamAddress);
        // the restart policy brings it back on its own once the upstream answers
        await eventually(() => state().startsWith("true") && addressOn(`${prefix}-mirror-3`, network) !== "", 90);
        const third = addressOn(`${prefix}-mirror-3`, network);
        await waitForRegistry(third, 60);
        expect(await pull(third, pushed.blobs)).toEqual({ manifest: sha256(pushed.manifest), blobs: pushed.blobs });
        expect(docker(["rm", "-f", `${prefix}-mirror-3`]).ok).toBe(true);
    });

    it("with expiry left on, the registry writes a schedule file into the volume (the check above can fail)", async () => {
        runMirror(
            `${prefix}-mirror-ttl`,
            declared.envs.filter((e: string) => e !== "REGISTRY_PROXY_TTL=0"),
        );
        const withTtl = addressOn(`${prefix}-mirror-ttl`, network);
        await waitForRegistry(withTtl);
        const pushed = await pushImage(upstreamAddress); // new blobs, so the mirror fetches and schedules them
        await pull(withTtl, pushed.blobs);
        const deadline = Date.now() + 30_000;
        let found = false;
        while (!found && Date.now() < deadline) {
            found = docker(["cp", `${prefix}-mirror-ttl:/var/lib/registry/scheduler-state.json`, "-"]).ok;
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        expect(found).toBe(true);
    });
});
