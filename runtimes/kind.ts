import * as pulumi from "@pulumi/pulumi";
import { clusterSteps } from "./clusterSteps";
import { ClusterRuntime, ClusterSpec, ClusterSteps } from "./runtime";

/**
 * kind: every cluster joins kind's own docker network `kind`, and each control-plane container is
 * reachable there as `<name>-control-plane:6443`. kind writes that address into the cluster's
 * kube-public/cluster-info itself, so the hub needs no preparation.
 */
export const kindRuntime: ClusterRuntime = {
    name: "kind",
    createNetwork: () => undefined,
    createCluster(clusterName: string, spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps {
        return clusterSteps(
            clusterName,
            {
                scripts: "kind",
                environment: {
                    CLUSTER_NAME: clusterName,
                    NODE_IMAGE: spec.nodeImage,
                },
                recreateWhen: [spec.nodeImage],
            },
            parent,
        );
    },
    contextName: (clusterName) => `kind-${clusterName}`,
    exportKubeconfigCommand: (clusterName) => `kind export kubeconfig --name ${clusterName}`,
    apiServerInternal: (clusterName) => `https://${clusterName}-control-plane:6443`,
    prepareHub: () => [],
};
