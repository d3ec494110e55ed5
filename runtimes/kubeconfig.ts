/**
 * Reading the few fields the lab needs from a kubeconfig that kind or k3d printed, or that runtime
 * existing read from a context (one cluster, one user). A missing field means the runtime printed
 * something unexpected: say which cluster.
 */

function field(kubeconfig: string, name: string, clusterName: string): string {
    const match = new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, "m").exec(kubeconfig);
    if (!match) {
        throw new Error(
            `ocm-lab: the kubeconfig of cluster ${clusterName} has no ${name}; ` +
                `next: compare with the runtime's own output (kind get kubeconfig / k3d kubeconfig get / ` +
                `kubectl config view --minify --flatten --context <its context>) and run pulumi refresh`,
        );
    }
    return match[1];
}

/** base64 PEM of the cluster CA. */
export const caDataOf = (kubeconfig: string, clusterName: string) =>
    field(kubeconfig, "certificate-authority-data", clusterName);

/** The API server URL as the host reaches it. */
export const serverOf = (kubeconfig: string, clusterName: string) => field(kubeconfig, "server", clusterName);

export const pemOf = (caData: string) => Buffer.from(caData, "base64").toString("utf8");

/**
 * The same kubeconfig with its API server replaced: the view from another cluster on the lab's
 * network (what kind calls `get kubeconfig --internal`), for a klusterlet the hub hosts.
 */
export function withServer(kubeconfig: string, server: string, clusterName: string): string {
    serverOf(kubeconfig, clusterName); // a kubeconfig without one fails here, naming the cluster
    return kubeconfig.replace(/^(\s*server:\s*)\S+\s*$/m, (_, prefix: string) => `${prefix}${server}`);
}
