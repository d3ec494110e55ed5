/**
 * What each runtime is told about the image cache's mirrors, checked against the formats the pinned
 * releases read: kind's own config decoder (the real kind, which refuses unknown fields), the
 * containerd config of kind's node image (from kind's source at the pinned release), and the type
 * k3d decodes `--registry-config` into (rancher/wharfie's registries.Registry, at the version k3d's
 * go.mod pins). The real binaries and sources come from `npm run build:clis`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { parse as parseToml } from "smol-toml";
import {
    k3dRegistriesConfig,
    kindClusterConfig,
    labMirrors,
    mirroredRegistries,
    RegistryMirror,
} from "../runtimes/mirrors";
import { builtModuleSourceDir, realCliPath } from "./builds/realClis";
import { labImages, pullsPerUp, registryOf } from "../figures/images";

const mirrors = labMirrors("kind");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-mirrors-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * Hands a config file to the real kind's `create cluster`. kind decodes the config before it asks
 * Docker anything; a stub `docker` first on PATH answers only `docker -v` and refuses `docker info`,
 * so kind stops there: nothing is created, and no Docker engine is asked.
 */
function realKindReads(config: string): { decoded: boolean; output: string } {
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
        path.join(bin, "docker"),
        '#!/bin/sh\n[ "$1" = "-v" ] && echo "Docker version 28.0.0" && exit 0\necho "stub docker refuses: $*" >&2\nexit 1\n',
        { mode: 0o755 },
    );
    const file = path.join(work, "kind-config.yaml");
    fs.writeFileSync(file, config);
    const result = spawnSync(realCliPath("kind"), ["create", "cluster", "--name", "mirror-check", "--config", file], {
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: work },
        encoding: "utf8",
        timeout: 30_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    // Past the decoder, kind's next step is `docker info`, which the stub refuses.
    return { decoded: /stub docker refuses: info/.test(output), output };
}

describe("kind: containerdConfigPatches", () => {
    const config = kindClusterConfig(mirrors);

    it("is a cluster config the real kind decodes (and a misspelled field is refused)", () => {
        const read = realKindReads(config);
        expect(read).toEqual({ decoded: true, output: expect.any(String) });
        const misspelled = realKindReads(config.replace("containerdConfigPatches:", "containerdConfigPatch:"));
        expect(misspelled.decoded).toBe(false);
        expect(misspelled.output).toMatch(/field containerdConfigPatch not found/);
    });

    it("patches the node image's containerd config into a mirror table per registry, upstream last", () => {
        const base = fs.readFileSync(
            path.join(builtModuleSourceDir("kind"), "images/base/files/etc/containerd/config.toml"),
            "utf8",
        );
        // The registry.mirrors table applies only to a version 2 config without config_path.
        expect(parseToml(base).version).toBe(2);
        expect(base).not.toMatch(/^\s*config_path\s*=/m);

        const patches = (yaml.load(config) as { containerdConfigPatches: string[] }).containerdConfigPatches;
        expect(patches).toHaveLength(1);
        const patch = parseToml(patches[0]) as any;
        const table = patch.plugins["io.containerd.grpc.v1.cri"].registry.mirrors;
        expect(Object.keys(table)).toEqual(mirroredRegistries.map((r) => r.registry));
        for (const mirror of mirrors) {
            expect(table[mirror.registry]).toEqual({ endpoint: [mirror.endpoint, mirror.upstream] });
        }
    });

    it("is empty without mirrors: kind then gets no --config at all", () => {
        expect(kindClusterConfig([])).toBe("");
    });
});

describe("k3d: registries.yaml", () => {
    const config = k3dRegistriesConfig(mirrors);

    /** The yaml tags of one Go struct in wharfie's registries package. */
    function yamlTags(struct: string): string[] {
        const dir = path.join(builtModuleSourceDir("k3d", "github.com/rancher/wharfie"), "pkg", "registries");
        const source = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".go"))
            .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
            .join("\n");
        const body = new RegExp(`type ${struct} struct \\{([\\s\\S]*?)\\n\\}`).exec(source);
        if (!body) {
            throw new Error(`no struct ${struct} in ${dir}`);
        }
        return [...body[1].matchAll(/yaml:"([^",]+)/g)].map((m) => m[1]);
    }

    it("uses only fields of the type k3d decodes it into, a mirror per registry, upstream last", () => {
        const parsed = yaml.load(config) as Record<string, any>;
        expect(yamlTags("Registry")).toEqual(expect.arrayContaining(Object.keys(parsed)));
        expect(Object.keys(parsed.mirrors)).toEqual(mirroredRegistries.map((r) => r.registry));
        for (const mirror of mirrors) {
            const entry = parsed.mirrors[mirror.registry];
            expect(yamlTags("Mirror")).toEqual(expect.arrayContaining(Object.keys(entry)));
            expect(entry.endpoint).toEqual([mirror.endpoint, mirror.upstream]);
        }
        // the check can fail: k3d would silently ignore a misspelled key, this test does not
        expect(yamlTags("Mirror")).not.toContain("endpoints");
    });

    it("is empty without mirrors: k3d then gets no --registry-config at all", () => {
        expect(k3dRegistriesConfig([])).toBe("");
    });
});

describe("the mirrors", () => {
    it("cover the registry of every image the lab deploys", () => {
        const mirrored = mirroredRegistries.map((m) => m.registry);
        const used = [...new Set(labImages.map((i) => registryOf(i.image)))];
        expect(used.sort()).toEqual(["docker.io", "gcr.io", "public.ecr.aws", "quay.io"]);
        expect(mirrored).toEqual(expect.arrayContaining(used));
    });

    it("answer by container name on the lab network over plain HTTP, one name per lab and registry", () => {
        const hosts = (lab: string) => labMirrors(lab).map((m: RegistryMirror) => m.host);
        expect(hosts("kind")).toEqual([
            "ocm-lab-kind-mirror-docker-io",
            "ocm-lab-kind-mirror-quay-io",
            "ocm-lab-kind-mirror-ghcr-io",
            "ocm-lab-kind-mirror-registry-k8s-io",
            "ocm-lab-kind-mirror-public-ecr-aws",
            "ocm-lab-kind-mirror-gcr-io",
        ]);
        expect(new Set([...hosts("kind"), ...hosts("k3d")]).size).toBe(12);
        for (const mirror of mirrors) {
            expect(mirror.endpoint).toBe(`http://${mirror.host}:5000`);
            expect(mirror.upstream).toMatch(/^https:\/\//);
        }
    });
});

describe("image pulls per up (docs/bench.md)", () => {
    it("counts each cluster's own pulls without the cache, each distinct image once with it", () => {
        // kind, 2 spokes: the hub runs 5 OCM + 5 add-on images (pull-integration, operator, agent,
        // argocd, redis); each spoke 3 OCM + 5 add-on + guestbook + busybox
        expect(pullsPerUp("kind", 2)).toEqual({
            uncached: 10 + 2 * 10,
            // distinct: 5 OCM (a spoke's 3 are among the hub's), 5 add-on (the same on hub and spokes), 2 apps
            cachedFirstAtLeast: 5 + 5 + 2,
            cachedFirstAtMost: 30,
            cachedAgain: 0,
        });
        // k3d adds k3s's four add-on images on every cluster; the count grows with spokes only uncached
        const k3d = pullsPerUp("k3d", 10);
        expect(k3d.uncached).toBe(10 + 10 * 10 + 4 * 11);
        expect(k3d.cachedFirstAtLeast).toBe(pullsPerUp("k3d", 2).cachedFirstAtLeast);
        expect(pullsPerUp("kind", 2, { argocd: false, smokeWork: false }).uncached).toBe(5 + 2 * 3);
    });

    it("reads registry names as image references do (Docker Hub when none is named)", () => {
        expect(registryOf("busybox:1.37.0")).toBe("docker.io");
        expect(registryOf("rancher/mirrored-pause:3.6")).toBe("docker.io");
        expect(registryOf("public.ecr.aws/docker/library/redis@sha256:08ad")).toBe("public.ecr.aws");
    });
});
