import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { step } from "../scripts/step";
import { clusterSteps } from "./clusterSteps";
import { k3dNetworkName } from "./names";
import { ClusterRuntime, ClusterSpec, ClusterSteps, HubPreparation, SharedNetwork } from "./runtime";

/**
 * k3d: clusters share one user-defined docker network, where a server is reachable as
 * `k3d-<name>-server-0:6443`. Its kubeconfig says `https://0.0.0.0:<port>` (the host's view), and
 * k3s has no kube-public/cluster-info, so the hub gets one with the in-network address before init.
 */
const apiServerInternal = (clusterName: string) => `https://k3d-${clusterName}-server-0:6443`;

export const k3dRuntime: ClusterRuntime = {
    name: "k3d",
    createNetwork(labName: string, opts?: pulumi.CustomResourceOptions): SharedNetwork {
        const network = new docker.Network(
            "ocm-lab",
            { name: k3dNetworkName(labName), driver: "bridge" },
            { ...opts, deleteBeforeReplace: true },
        );
        return { name: network.name, resource: network };
    },
    createCluster(clusterName: string, spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps {
        if (!spec.network) {
            throw new Error(`k3d cluster ${clusterName} needs the lab's shared network; call createNetwork first`);
        }
        return clusterSteps(
            clusterName,
            {
                scripts: "k3d",
                environment: {
                    CLUSTER_NAME: clusterName,
                    NODE_IMAGE: spec.nodeImage,
                    NETWORK_NAME: spec.network.name,
                },
                recreateWhen: [spec.nodeImage, spec.network.name],
                dependsOn: [spec.network.resource],
            },
            parent,
        );
    },
    contextName: (clusterName) => `k3d-${clusterName}`,
    exportKubeconfigCommand: (clusterName) =>
        `k3d kubeconfig merge ${clusterName} --kubeconfig-merge-default --kubeconfig-switch-context=false`,
    apiServerInternal,
    prepareHub(hub: HubPreparation, parent: pulumi.Resource): pulumi.Resource[] {
        const clusterInfo = step(
            `${hub.hubName}-cluster-info`,
            {
                script: "k3d/hub-cluster-info.sh",
                environment: {
                    HUB_NAME: hub.hubName,
                    HUB_KUBECONFIG: hub.kubeconfig,
                    HUB_CA_DATA: hub.caData,
                    HUB_API_SERVER_INTERNAL: apiServerInternal(hub.hubName),
                },
            },
            { parent },
        );
        return [clusterInfo];
    },
};
