import * as pulumi from "@pulumi/pulumi";
import { step } from "../scripts/step";
import { clusterSteps } from "./clusterSteps";
import { k3dRegistriesConfig } from "./mirrors";
import { ClusterRuntime, ClusterSpec, ClusterSteps, HubPreparation, nodePortGrpcServer } from "./runtime";

/**
 * k3d: clusters share the lab's docker network (`--network`), where a server is reachable as
 * `k3d-<name>-server-0:6443`. Its kubeconfig says `https://0.0.0.0:<port>` (the host's view), and
 * k3s has no kube-public/cluster-info, so the hub gets one with the in-network address before init.
 */
const apiServerInternal = (clusterName: string) => `https://k3d-${clusterName}-server-0:6443`;

export const k3dRuntime: ClusterRuntime = {
    name: "k3d",
    ownsClusters: true,
    createCluster(clusterName: string, spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps {
        const registries = k3dRegistriesConfig(spec.imageCache?.mirrors ?? []);
        return clusterSteps(
            clusterName,
            spec,
            {
                scripts: "k3d",
                environment: { REGISTRY_CONFIG: registries },
                // k3s reads registries.yaml when the node starts: a new mirror list needs a new cluster.
                recreateWhen: [registries],
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
    hubGrpcServer: (hubName) => nodePortGrpcServer(`k3d-${hubName}-server-0`),
};
