import * as pulumi from "@pulumi/pulumi";
import { step } from "../components/step";
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
        const cluster = step(
            `${clusterName}-cluster`,
            {
                script: "kind/create-cluster.sh",
                deleteScript: "kind/delete-cluster.sh",
                environment: {
                    CLUSTER_NAME: clusterName,
                    NODE_IMAGE: spec.nodeImage,
                    TIMEOUT_SECONDS: String(spec.timeoutSeconds),
                },
                // A new node image needs a new cluster; re-running create would keep the old one.
                triggers: [spec.nodeImage],
            },
            { parent, deleteBeforeReplace: true },
        );
        const kubeconfig = step(
            `${clusterName}-kubeconfig`,
            {
                script: "kind/kubeconfig.sh",
                environment: { CLUSTER_NAME: clusterName },
                secretStdout: true,
                // The Command provider gives each create a new random ID, so a new cluster means a new kubeconfig.
                triggers: [cluster.id],
            },
            { parent, dependsOn: [cluster] },
        );
        return { cluster, kubeconfig };
    },
    contextName: (clusterName) => `kind-${clusterName}`,
    exportKubeconfigCommand: (clusterName) => `kind export kubeconfig --name ${clusterName}`,
    apiServerInternal: (clusterName) => `https://${clusterName}-control-plane:6443`,
    prepareHub: () => [],
};
