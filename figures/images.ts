/**
 * Every image a lab's clusters pull, by where it runs, read from what the lab deploys at its pinned
 * versions (the source of each is given). `npm run bench` counts from it how many image pulls cross
 * the internet per `up`, with and without the image cache.
 *
 * Images a node image already carries are not pulled and not listed: a kind node image holds the
 * Kubernetes control plane, CoreDNS, kindnet and local-path-provisioner; a k3s image holds none of
 * k3s's own add-ons, so those are listed for k3d.
 */
import { RuntimeName } from "../config";
import { versions } from "../versions";

export interface LabImage {
    /** Fully qualified, as the cluster pulls it (the tag or digest its source pins). */
    image: string;
    /** The cluster that runs it: the hub, every spoke, or every cluster. */
    runsOn: "hub" | "spoke" | "every cluster";
    /** Only on this runtime. */
    runtime?: RuntimeName;
    /** Only with this option on. */
    when?: "argocd" | "smokeWork";
    source: string;
}

const ocm = (name: string) => `quay.io/open-cluster-management/${name}:v${versions.ocmBundle}`;
const ocmSource = (chart: string) =>
    `clusteradm ${versions.clusteradm} installs open-cluster-management.io/ocm v${versions.ocmBundle}'s ${chart} chart ` +
    `(deploy/${chart}/chart/${chart}/templates/_helpers.tpl: <registry>/<name>:<bundle tag>, registry quay.io/open-cluster-management)`;
const operatorDefaults = "argocd-operator v0.18.0 common/defaults.go (the chart's operator)";
const argocdImage = "quay.io/argoproj/argocd@sha256:05d68bf224df7cd39713012c19226a33c374f2f3bd65df7b9088349e4ac3e6a2";
const redisImage =
    "public.ecr.aws/docker/library/redis@sha256:08ad0b1d280850169a790dba1393ff7a90aef951fc19632cf4d3ce4f78e679ba";
const chart = `argocd-agent-addon ${versions.argocdAgentAddonChart}`;

export const labImages: LabImage[] = [
    // OCM: clusteradm init on the hub, clusteradm join on each spoke (default klusterlet mode).
    ...["registration-operator", "registration", "work", "placement", "addon-manager"].map((name): LabImage => ({
        image: ocm(name),
        runsOn: "hub",
        source: ocmSource("cluster-manager"),
    })),
    ...["registration-operator", "registration", "work"].map((name): LabImage => ({
        image: ocm(name),
        runsOn: "spoke",
        source: ocmSource("klusterlet"),
    })),
    // The add-on chart on the hub, and what its controller sends each spoke.
    {
        image: `quay.io/open-cluster-management/argocd-pull-integration:${versions.argocdAgentAddonChart}`,
        runsOn: "hub",
        when: "argocd",
        source: `${chart} values.yaml image/tag (the GitOpsCluster controller)`,
    },
    {
        image: `quay.io/open-cluster-management/argocd-pull-integration:${versions.argocdAgentAddonChart}`,
        runsOn: "spoke",
        when: "argocd",
        source: "the add-on agent: argocd-pull-integration v0.28.1 internal/controller/addon_template_management.go (CONTROLLER_IMAGE)",
    },
    ...(["hub", "spoke"] as const).map((runsOn): LabImage => ({
        image: "quay.io/argoprojlabs/argocd-operator:v0.18.0",
        runsOn,
        when: "argocd",
        source: `${chart} values.yaml operatorImage (the spoke's copy: internal/addon/charts/argocd-agent-addon/values.yaml)`,
    })),
    ...(["hub", "spoke"] as const).map((runsOn): LabImage => ({
        image: "quay.io/argoprojlabs/argocd-agent:v0.9.0",
        runsOn,
        when: "argocd",
        source: `${chart} values.yaml argoCDAgent.image (principal on the hub, agent on each spoke)`,
    })),
    ...(["hub", "spoke"] as const).map((runsOn): LabImage => ({
        image: argocdImage,
        runsOn,
        when: "argocd",
        source: `${operatorDefaults}: ArgoCDDefaultArgoImage/Version (v3.3.10), for server, repo-server and applicationset or controller`,
    })),
    ...(["hub", "spoke"] as const).map((runsOn): LabImage => ({
        image: redisImage,
        runsOn,
        when: "argocd",
        source: `${operatorDefaults}: ArgoCDDefaultRedisImage/Version (8.2.3-alpine)`,
    })),
    {
        image: "gcr.io/google-samples/gb-frontend:v5",
        runsOn: "spoke",
        when: "argocd",
        source: `argoproj/argocd-example-apps ${versions.guestbookRevision.slice(0, 8)} guestbook/guestbook-ui-deployment.yaml`,
    },
    {
        image: `docker.io/library/${versions.smokeImage}`,
        runsOn: "spoke",
        when: "smokeWork",
        source: "the smoke ManifestWork (components/ocmObjects.ts)",
    },
    // k3s's own add-ons, which the k3s image does not carry; their tags are the k3s release's.
    ...[
        "rancher/mirrored-pause",
        "rancher/mirrored-coredns-coredns",
        "rancher/local-path-provisioner",
        "rancher/mirrored-metrics-server",
    ].map((name): LabImage => ({
        image: `docker.io/${name}:<k3s release's tag>`,
        runsOn: "every cluster",
        runtime: "k3d",
        source: `k3s ${versions.k3dNodeImage.split(":")[1]}: its pause image and the coredns, local-storage and metrics-server manifests (traefik is off)`,
    })),
];

/** The registry an image reference names (Docker Hub's when it names none). */
export const registryOf = (image: string) => {
    const [first, ...rest] = image.split("/");
    return rest.length > 0 && /[.:]|^localhost$/.test(first) ? first : "docker.io";
};

export interface PullCount {
    /** Pulls when every cluster pulls for itself (no cache): the same on a re-run after destroy. */
    uncached: number;
    /** With the cache, first up on a machine: each distinct image once... */
    cachedFirstAtLeast: number;
    /** ...and at most every cluster's pull, when they ask the mirror for a blob at the same moment. */
    cachedFirstAtMost: number;
    /** With the cache, every later up (or another lab on the machine): blobs all come from the cache. */
    cachedAgain: number;
}

/** How many image pulls cross the internet for one `up` of a lab with this many spokes. */
export function pullsPerUp(
    runtime: RuntimeName,
    spokes: number,
    options = { argocd: true, smokeWork: true },
): PullCount {
    const images = labImages.filter((i) => (!i.runtime || i.runtime === runtime) && (!i.when || options[i.when]));
    const clustersRunning = (i: LabImage) => (i.runsOn === "hub" ? 1 : i.runsOn === "spoke" ? spokes : spokes + 1);
    const uncached = images.reduce((sum, i) => sum + clustersRunning(i), 0);
    const distinct = new Set(images.map((i) => i.image)).size;
    return { uncached, cachedFirstAtLeast: distinct, cachedFirstAtMost: uncached, cachedAgain: 0 };
}
