import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { ClusterRuntime, ClusterSpec } from "../runtimes";

/** What hub and spoke components share: the cluster, its host kubeconfig and a provider for it. */
export interface ClusterAccess {
    cluster: command.local.Command;
    /** The same step when the lab made the cluster (kind, k3d): what lives inside goes with it. */
    ownedCluster?: command.local.Command;
    /** Host-view kubeconfig (secret). */
    kubeconfig: pulumi.Output<string>;
    provider: k8s.Provider;
    /** kubectl context name, once the kubeconfig is exported (see ClusterRuntime.exportKubeconfigCommand). */
    context: string;
}

export function createClusterAccess(
    runtime: ClusterRuntime,
    clusterName: string,
    spec: ClusterSpec,
    parent: pulumi.Resource,
): ClusterAccess {
    const steps = runtime.createCluster(clusterName, spec, parent);
    const kubeconfig = pulumi.secret(steps.kubeconfig.stdout);
    const provider = new k8s.Provider(`${clusterName}-provider`, { kubeconfig }, { parent });
    return {
        cluster: steps.cluster,
        ownedCluster: runtime.ownsClusters ? steps.cluster : undefined,
        kubeconfig,
        provider,
        context: runtime.contextName(clusterName),
    };
}
