/**
 * Every version a user's machine downloads, in one place, each with the reason it is pinned.
 * Pulumi.yaml repeats the defaults so `pulumi config` can show them; a test keeps the two equal.
 */
export const versions = {
    /**
     * kind node image. It belongs to the kind v0.24 release line (see `kindCli`): kind expects node
     * images built for the CLI release in use, so the pair moves together.
     */
    kindNodeImage: "kindest/node:v1.31.0",
    /** The kind CLI release that `kindNodeImage` was built for; preflight checks the pair. */
    kindCli: "v0.24.0",
    /** k3d release: has --network, --k3s-arg and the kubeconfig flags the lab uses; the k3s image is set above. */
    k3dCli: "v5.8.3",
    /**
     * kubectl for the steps' checks: v1.32 is within one minor version of both node images
     * (v1.31 on kind, v1.33 on k3d), the skew kubectl supports.
     */
    kubectl: "v1.32.0",
    /** k3s image for k3d: the release the shell lab this project replaces was proven on. */
    k3dNodeImage: "rancher/k3s:v1.33.6-k3s1",
    /**
     * clusteradm CLI and the OCM bundle it installs (`--bundle-version`). Pinning the bundle keeps
     * hub and klusterlet images identical across machines instead of following "latest".
     */
    clusteradm: "1.3.1",
    ocmBundle: "1.3.1",
    /** The Pulumi CLI is pinned in package.json (npm package `pulumi`), next to the SDK of the same release. */
    /**
     * Builds only the engine tier of the tests uses (tests/engine), never a user's machine. The
     * Pulumi CLI at the release the Go module proxy serves (the npm package's 3.265.0 is not served
     * as a module), built from github.com/pulumi/pulumi/pkg/v3 with its version stamped.
     */
    pulumiCliForTests: "v3.274.1",
    /**
     * The kubernetes provider for the engine tier: the only github.com/pulumi/pulumi-kubernetes/provider/v4
     * the proxy serves is this pseudo-version, a January 2026 commit (f47bc2d6f199) of the provider's
     * main branch, not the 4.34.2 release the npm SDK asks for. Every engine-tier result says so.
     */
    kubernetesProviderModule: "v4.0.0-20260115033456-f47bc2d6f199",
    /**
     * actionlint, for the project's own workflows (npm run lint), built from its Go module: a pinned
     * release, so a new actionlint rule never turns a green lint red on its own.
     */
    actionlint: "v1.7.12",
    /**
     * The argocd-agent OCM add-on chart. 0.28.1 is the release whose values take
     * `principalServiceType` (NodePort is the only type kind/k3d can serve) and which pins matching
     * principal/agent images itself. Read from the chart itself (open-cluster-management-io/helm-charts,
     * charts/argocd-agent-addon-0.28.1.tgz): it installs argocd-operator v0.18.0 and argocd-agent v0.9.0,
     * and its ArgoCD CR is `argocd` in `argocd` (so the operator's admin secret is `argocd-cluster`).
     */
    argocdAgentAddonChart: "0.28.1",
    /**
     * open-cluster-management.io/api: the release clusteradm (above) is built against, so the CRDs
     * the hub serves. The program's OCM objects (components/ocmObjects.ts) are checked against its
     * CRDs in the tests.
     */
    ocmApi: "v1.3.0",
    /**
     * The image cache's pull-through mirrors (components/imageCache.ts): the distribution project's
     * registry, 3.0.0, its first v3 release. Pinned so every machine runs the same proxy code over
     * the shared cache volumes. The tests build a stand-in under this tag from the same release's
     * Go module (`registryMirrorModule`), since no image can be pulled where they run.
     */
    registryMirror: "registry:3.0.0",
    registryMirrorModule: "v3.0.0",
    /** The smoke ManifestWork's Pod (the register page's busybox example, with its tag pinned). */
    smokeImage: "busybox:1.37.0",
    argocdAgentAddonRepo: "https://open-cluster-management.io/helm-charts",
    /**
     * The sample app every spoke receives. The example repository has no release tags for it, so
     * the lab pins a commit: the last one that changed guestbook/ (2025-06-16, "fix: invalid image
     * for guestbook", argoproj/argocd-example-apps). A moving branch would let the same lab deliver
     * different manifests on different days. Override with ocm-lab:argocd.appRevision.
     */
    guestbookRepo: "https://github.com/argoproj/argocd-example-apps.git",
    guestbookPath: "guestbook",
    guestbookRevision: "f58c7ed8cfe28ad70701c5923fdbd0154388ea9f",
} as const;
