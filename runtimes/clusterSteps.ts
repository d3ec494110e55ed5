import * as pulumi from "@pulumi/pulumi";
import { step } from "../scripts/step";
import { ClusterSpec, ClusterSteps } from "./runtime";

/** What a runtime says about how it makes one cluster; clusterSteps turns it into the two steps. */
export interface ClusterRecipe {
    /** Folder of the runtime's create-cluster.sh, delete-cluster.sh and kubeconfig.sh under scripts/. */
    scripts: "kind" | "k3d";
    /** Environment of the create and delete steps, beside CLUSTER_NAME, NODE_IMAGE and NETWORK_NAME. */
    environment: Record<string, pulumi.Input<string>>;
    /**
     * Runtime inputs whose change needs a new cluster (re-running create would keep the old one),
     * beside the node image and the network, which every runtime's clusters are made with.
     */
    recreateWhen: pulumi.Input<string>[];
}

/**
 * The cluster, made on the lab's network once the network and every image cache mirror exist, and
 * its host kubeconfig fetched again whenever the cluster is replaced.
 */
export function clusterSteps(
    clusterName: string,
    spec: ClusterSpec,
    recipe: ClusterRecipe,
    parent: pulumi.Resource,
): ClusterSteps {
    const network = spec.network;
    if (!network) {
        throw new Error(
            `ocm-lab: ${clusterName}: a ${recipe.scripts} cluster needs the lab's network (a bug in index.ts)`,
        );
    }
    const cluster = step(
        `${clusterName}-cluster`,
        {
            script: `${recipe.scripts}/create-cluster.sh`,
            deleteScript: `${recipe.scripts}/delete-cluster.sh`,
            environment: {
                CLUSTER_NAME: clusterName,
                NODE_IMAGE: spec.nodeImage,
                NETWORK_NAME: network.name,
                ...recipe.environment,
            },
            triggers: [spec.nodeImage, network.name, ...recipe.recreateWhen, ...(spec.recreateWhen ?? [])],
        },
        // The cluster name is a singleton on the machine: delete the old one before making the new.
        {
            parent,
            deleteBeforeReplace: true,
            dependsOn: [network.resource, ...(spec.imageCache?.ready ?? [])],
        },
    );
    const kubeconfig = step(
        `${clusterName}-kubeconfig`,
        {
            script: `${recipe.scripts}/kubeconfig.sh`,
            environment: { CLUSTER_NAME: clusterName },
            secretStdout: true,
            // The Command provider gives each create a new random ID, so a new cluster means a new kubeconfig.
            triggers: [cluster.id],
        },
        { parent, dependsOn: [cluster] },
    );
    return { cluster, kubeconfig };
}
