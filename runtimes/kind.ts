import * as pulumi from "@pulumi/pulumi";
import { clusterSteps } from "./clusterSteps";
import { kindClusterConfig } from "./mirrors";
import { ClusterRuntime, ClusterSpec, ClusterSteps, nodePortGrpcServer } from "./runtime";

/**
 * kind: every cluster of the lab is made on the lab's network instead of kind's shared `kind`
 * network (create-cluster.sh sets KIND_EXPERIMENTAL_DOCKER_NETWORK, which the pinned kind reads in
 * pkg/cluster/internal/providers/docker/provider.go and uses as is when it exists). A control
 * plane is reachable there as `<name>-control-plane:6443`; kind writes that address into the
 * cluster's kube-public/cluster-info itself, so the hub needs no preparation.
 */
export const kindRuntime: ClusterRuntime = {
    name: "kind",
    ownsClusters: true,
    createCluster(clusterName: string, spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps {
        const config = kindClusterConfig(spec.imageCache?.mirrors ?? []);
        return clusterSteps(
            clusterName,
            spec,
            {
                scripts: "kind",
                environment: { KIND_CONFIG: config },
                // containerd reads its mirrors when the node starts: a new mirror list needs a new cluster.
                recreateWhen: [config],
            },
            parent,
        );
    },
    contextName: (clusterName) => `kind-${clusterName}`,
    exportKubeconfigCommand: (clusterName) => `kind export kubeconfig --name ${clusterName}`,
    apiServerInternal: (clusterName) => `https://${clusterName}-control-plane:6443`,
    prepareHub: () => [],
    hubGrpcServer: (hubName) => nodePortGrpcServer(`${hubName}-control-plane`),
};
