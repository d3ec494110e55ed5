import * as pulumi from "@pulumi/pulumi";
import { grpcServerHost, LabConfig } from "../config";
import { step } from "../scripts/step";
import { serverOf } from "./kubeconfig";
import { ClusterRuntime, ClusterSpec, ClusterSteps } from "./runtime";

/**
 * existing: clusters the user already has, named by their kubectl contexts (ocm-lab:contexts). The
 * lab makes no network, cache or cluster: one step per cluster reads its context into a kubeconfig
 * of its own (`kubectl config view --minify --flatten`), and nothing at destroy deletes a cluster.
 * Every cluster reaches the hub at one address: ocm-lab:hubApiServer, or the server of the hub's
 * context, which must then not be a loopback address (scripts/existing/connect.sh refuses it).
 */
export function existingRuntime(
    lab: Pick<LabConfig, "hubName" | "contexts" | "hubApiServer" | "hubGrpcServer">,
): ClusterRuntime {
    const contextOf = (clusterName: string) => {
        const context = lab.contexts[clusterName];
        if (context === undefined) {
            // parseLabConfig asks for a context for every cluster, so this is a bug, not a user's mistake.
            throw new Error(
                `ocm-lab: runtime existing has no context for cluster ${clusterName} (a bug in config/existing.ts)`,
            );
        }
        return context;
    };
    return {
        name: "existing",
        ownsClusters: false,
        createCluster(clusterName: string, _spec: ClusterSpec, parent: pulumi.Resource): ClusterSteps {
            const isHub = clusterName === lab.hubName;
            const connect = step(
                `${clusterName}-connect`,
                {
                    script: "existing/connect.sh",
                    environment: {
                        CLUSTER_NAME: clusterName,
                        CONTEXT: contextOf(clusterName),
                        // The hub's own server is what klusterlets will be handed, unless config names another.
                        ...(isHub && !lab.hubApiServer ? { HANDED_TO_SPOKES: "true" } : {}),
                    },
                    secretStdout: true,
                    // Another context is another cluster: read it anew (and register what lives there anew).
                    triggers: [contextOf(clusterName)],
                },
                // Deleting this step deletes nothing; it only has to outlive what runs in the cluster.
                { parent },
            );
            return { cluster: connect, kubeconfig: connect };
        },
        contextName: contextOf,
        exportKubeconfigCommand: (clusterName) => `kubectl config use-context ${contextOf(clusterName)}`,
        apiServerInternal: (clusterName, kubeconfig) =>
            clusterName === lab.hubName && lab.hubApiServer
                ? lab.hubApiServer
                : pulumi.unsecret(kubeconfig.apply((kc) => serverOf(kc, clusterName))),
        prepareHub: () => [],
        hubGrpcServer: () =>
            lab.hubGrpcServer
                ? { host: grpcServerHost(lab.hubGrpcServer) ?? lab.hubGrpcServer, address: lab.hubGrpcServer }
                : undefined,
    };
}
