/**
 * Seconds each kind of step is assumed to take on a laptop with images already pulled. None of
 * these were measured here (no Docker engine on the machines that build this project): they are
 * stated assumptions, each with what it rests on, and the bench's step counts do not depend on them.
 */
export interface Latency {
    seconds: number;
    source: string;
}

export const latencies: Record<string, Latency> = {
    Network: { seconds: 1, source: "assumption: one docker API call" },
    cluster: { seconds: 40, source: "assumption: kind/k3d create with --wait for a one-node control plane" },
    kubeconfig: { seconds: 1, source: "assumption: one CLI call that prints a file" },
    "cluster-info": { seconds: 2, source: "assumption: two kubectl calls" },
    init: { seconds: 90, source: "assumption: clusteradm init --wait plus the hub deployments this lab waits for" },
    join: {
        seconds: 47,
        source: "assumption: one TokenRequest through clusteradm (2 s), then clusteradm join --wait until the klusterlet's registration agent is Ready",
    },
    accept: { seconds: 10, source: "assumption: clusteradm accept --wait for the CSR and approval" },
    available: { seconds: 15, source: "assumption: first klusterlet lease after acceptance" },
    ManifestWork: { seconds: 1, source: "assumption: one create on the hub" },
    "smoke-ready": { seconds: 20, source: "assumption: the work agent applies it and the spoke pulls busybox" },
    Release: { seconds: 120, source: "assumption: chart install with 3.9 MB of CRDs, operator and Argo CD start" },
    "gitops-ready": { seconds: 60, source: "assumption: GitOpsCluster reconciling the principal and importing spokes" },
    "addon-available": { seconds: 60, source: "assumption: the add-on's ManifestWork applied and the agent started" },
    "admin-password": { seconds: 2, source: "assumption: one kubectl read once Argo CD exists" },
    AppProject: { seconds: 2, source: "assumption: one server-side apply" },
    ApplicationSet: { seconds: 2, source: "assumption: one create" },
    "guestbook-available": {
        seconds: 60,
        source: "assumption: Application sync and the guestbook image pulled on the spoke",
    },
};
