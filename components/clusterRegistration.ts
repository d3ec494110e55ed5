import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { ResourceQos } from "../config";
import { stepScript } from "../scripts";
import { HubCluster, qosEnvironment } from "./hubCluster";
import { pemOf } from "./kubeconfig";
import { SpokeCluster } from "./spokeCluster";
import { step } from "../scripts/step";

export interface ClusterRegistrationArgs {
    /** The initialised hub the spoke joins. */
    hub: HubCluster;
    /** The spoke to register; its name becomes the ManagedCluster name. */
    spoke: SpokeCluster;
    /** OCM release of the klusterlet (`--bundle-version`); keep it equal to the hub's. */
    bundleVersion: string;
    /** Resource settings for the klusterlet. */
    resourceQos: ResourceQos;
    /** Upper bound for join, accept and the Available wait, each, in seconds. */
    timeoutSeconds: number;
}

/**
 * Registers one spoke with the hub, in the OCM handshake's order: a fresh join token from the hub,
 * `clusteradm join` on the spoke, `clusteradm accept` on the hub, then a bounded wait until the
 * hub sees the spoke Available. Deleting it removes the ManagedCluster from the hub.
 */
export class ClusterRegistration extends pulumi.ComponentResource {
    /** The ManagedCluster's name on the hub. */
    readonly spokeName: string;
    readonly joined: command.local.Command;
    readonly accepted: command.local.Command;
    /** Done when ManagedClusterConditionAvailable is True on the hub. */
    readonly available: command.local.Command;

    constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:ClusterRegistration", name, {}, opts);
        const { hub, spoke } = args;
        const spokeName = (this.spokeName = spoke.clusterName);
        const hubEnvironment = {
            HUB_NAME: hub.clusterName,
            HUB_CONTEXT: hub.context,
            HUB_KUBECONFIG: hub.kubeconfig,
            SPOKE_NAME: spokeName,
            TIMEOUT_SECONDS: String(args.timeoutSeconds),
        };
        const joinSettings = {
            SPOKE_NAME: spokeName,
            SPOKE_CONTEXT: spoke.context,
            SPOKE_KUBECONFIG: spoke.kubeconfig,
            HUB_API_SERVER: hub.apiServer,
            HUB_CA_PEM: hub.caData.apply(pemOf),
            HUB_API_SERVER_INTERNAL: hub.apiServerInternal,
            BUNDLE_VERSION: args.bundleVersion,
            ...qosEnvironment(args.resourceQos),
            TIMEOUT_SECONDS: String(args.timeoutSeconds),
        };

        // clusteradm mints a token that expires after an hour. Whenever join would run again (a new
        // spoke, a new spoke cluster, changed join settings), this step is replaced first, so join
        // always runs with a token minted moments before.
        const token = step(
            `${name}-token`,
            {
                script: "token.sh",
                environment: hubEnvironment,
                secretStdout: true,
                triggers: [stepScript("join.sh"), joinSettings],
            },
            { parent: this, dependsOn: [hub.initialized] },
        );
        const hubToken = token.stdout.apply((stdout) => tokenFrom(stdout, spokeName));

        this.joined = step(
            `${name}-join`,
            { script: "join.sh", environment: { ...joinSettings, HUB_TOKEN: hubToken } },
            { parent: this, dependsOn: [spoke.cluster, token] },
        );
        this.accepted = step(
            `${name}-accept`,
            { script: "accept.sh", deleteScript: "remove-managed-cluster.sh", environment: hubEnvironment },
            // Removing the ManagedCluster matters only while the hub lives on (a spoke dropped from config).
            { parent: this, dependsOn: [this.joined], deletedWith: hub.cluster },
        );
        this.available = step(
            `${name}-available`,
            { script: "wait-available.sh", environment: hubEnvironment },
            { parent: this, dependsOn: [this.accepted] },
        );

        this.registerOutputs({});
    }
}

/** The token from `clusteradm get token -o json` ({"hub-token": …, "hub-apiserver": …}). */
function tokenFrom(stdout: string, spokeName: string): string {
    let parsed: unknown;
    try {
        parsed = JSON.parse(stdout);
    } catch {
        parsed = undefined;
    }
    const token = (parsed as Record<string, unknown> | undefined)?.["hub-token"];
    if (typeof token !== "string" || token === "") {
        throw new Error(
            `ocm-lab: token step for ${spokeName} got no hub-token from clusteradm get token -o json; ` +
                `next: clusteradm get token --kubeconfig <hub kubeconfig> -o json | grep -c hub-token`,
        );
    }
    return token;
}
