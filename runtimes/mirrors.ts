/**
 * The image cache's registry mirrors, and how each runtime is told about them. No Pulumi imports:
 * the config text is plain data, shown by tests and read by the front door (cli/lab.ts).
 */

/** An upstream registry the lab's images come from, and the address its pull-through mirror answers on. */
export interface RegistryMirror {
    /** The registry as image references name it (`quay.io/open-cluster-management/...`). */
    registry: string;
    /** Where the mirror fetches from, and where a node falls back to when the mirror is down. */
    upstream: string;
    /** The mirror container's name on the lab network (docker's DNS resolves it there). */
    host: string;
    /** What the node's container runtime asks: plain HTTP, on the lab network only. */
    endpoint: string;
}

/**
 * The registries the lab's images come from (figures/images.ts lists them image by image, and a test
 * keeps the two in step): OCM, Argo CD and its operator and agent on quay.io, Argo CD's redis on
 * public.ecr.aws, the guestbook on gcr.io, busybox and k3s's own add-ons on docker.io. ghcr.io and
 * registry.k8s.io serve none of the lab's images today but many of the apps people deliver with it.
 * Docker Hub's registry API is served at registry-1.docker.io, not at docker.io.
 */
export const mirroredRegistries: readonly { registry: string; upstream: string }[] = [
    { registry: "docker.io", upstream: "https://registry-1.docker.io" },
    { registry: "quay.io", upstream: "https://quay.io" },
    { registry: "ghcr.io", upstream: "https://ghcr.io" },
    { registry: "registry.k8s.io", upstream: "https://registry.k8s.io" },
    { registry: "public.ecr.aws", upstream: "https://public.ecr.aws" },
    { registry: "gcr.io", upstream: "https://gcr.io" },
];

/** The port the registry image listens on (its default configuration's `http.addr`). */
export const mirrorPort = 5000;

/** `registry.k8s.io` → `registry-k8s-io`: a docker name and DNS label. */
export const registrySlug = (registry: string) => registry.replace(/[^a-z0-9]+/g, "-");

/** The volume that holds one registry's cached images: one per machine, shared by every lab on it. */
export const cacheVolumeName = (registry: string) => `ocm-lab-cache-${registrySlug(registry)}`;

/** Every cache volume the lab may have made on this machine (`npm run destroy -- --purge-cache`). */
export const cacheVolumeNames = () => mirroredRegistries.map((m) => cacheVolumeName(m.registry));

/** The mirrors of one lab: their containers are the lab's own, so two labs never share or delete one. */
export function labMirrors(labName: string): RegistryMirror[] {
    return mirroredRegistries.map(({ registry, upstream }) => {
        const host = `ocm-lab-${labName}-mirror-${registrySlug(registry)}`;
        return { registry, upstream, host, endpoint: `http://${host}:${mirrorPort}` };
    });
}

const quoted = (s: string) => JSON.stringify(s);

/**
 * kind: a containerd patch per cluster (kind's `containerdConfigPatches`, merged into every node's
 * /etc/containerd/config.toml). The node image's config is containerd's version 2 format without
 * `config_path` (kind's images/base/files/etc/containerd/config.toml at the pinned kind release), so
 * the CRI plugin's `registry.mirrors` table applies. containerd tries the endpoints in order; the
 * upstream is listed last so that a mirror that is down never stops a pull.
 */
export function kindClusterConfig(mirrors: RegistryMirror[]): string {
    if (mirrors.length === 0) {
        return "";
    }
    const patch = mirrors.flatMap((m) => [
        `[plugins."io.containerd.grpc.v1.cri".registry.mirrors.${quoted(m.registry)}]`,
        `  endpoint = [${quoted(m.endpoint)}, ${quoted(m.upstream)}]`,
    ]);
    return [
        "kind: Cluster",
        "apiVersion: kind.x-k8s.io/v1alpha4",
        "containerdConfigPatches:",
        "  - |-",
        ...patch.map((line) => `    ${line}`),
        "",
    ].join("\n");
}

/**
 * k3d: a k3s registries.yaml (`k3d cluster create --registry-config`), which k3s turns into
 * containerd's mirror configuration on every node. k3s tries the endpoints in order and the
 * registry's default endpoint after them; the upstream is listed last here as well, so the file
 * says what happens when a mirror is down.
 */
export function k3dRegistriesConfig(mirrors: RegistryMirror[]): string {
    if (mirrors.length === 0) {
        return "";
    }
    return [
        "mirrors:",
        ...mirrors.flatMap((m) => [
            `  ${quoted(m.registry)}:`,
            "    endpoint:",
            `      - ${quoted(m.endpoint)}`,
            `      - ${quoted(m.upstream)}`,
        ]),
        "",
    ].join("\n");
}
