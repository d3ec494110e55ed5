import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import { ClusterRuntime, ClusterSpec } from "../runtimes";
import { withCredentialFiles } from "../runtimes/kubeconfig";
import { credentialsDir, inProject } from "../scripts/settings";

/** What hub and spoke components share: the cluster, its host kubeconfig and a provider for it. */
export interface ClusterAccess {
    cluster: command.local.Command;
    /** The same step when the lab made the cluster (kind, k3d): what lives inside goes with it. */
    ownedCluster?: command.local.Command;
    /** Host-view kubeconfig (secret). */
    kubeconfig: pulumi.Output<string>;
    /** The same, its credentials in private files (runtimes/kubeconfig.ts withCredentialFiles): for providers. */
    providerKubeconfig: pulumi.Output<string>;
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
    // Not the kubeconfig itself: the provider leaves a copy of what it is given in TMPDIR at every run.
    const providerKubeconfig = kubeconfig.apply((text) =>
        withCredentialFiles(text, credentialsDir(pulumi.getStack(), clusterName), clusterName, inProject(".")),
    );
    const provider = new k8s.Provider(`${clusterName}-provider`, { kubeconfig: providerKubeconfig }, { parent });
    return {
        cluster: steps.cluster,
        ownedCluster: runtime.ownsClusters ? steps.cluster : undefined,
        kubeconfig,
        providerKubeconfig,
        provider,
        context: runtime.contextName(clusterName),
    };
}
