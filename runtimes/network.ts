import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { labNetworkName } from "./names";
import { SharedNetwork } from "./runtime";

/**
 * The docker network every cluster and mirror of one lab joins, on either runtime: there a spoke
 * reaches the hub's API server, and every node its mirrors, by container name. `labName` (the
 * stack) makes it this lab's alone, so two labs on one machine never share or delete it.
 */
export function createLabNetwork(labName: string, opts?: pulumi.CustomResourceOptions): SharedNetwork {
    const network = new docker.Network(
        "ocm-lab",
        { name: labNetworkName(labName), driver: "bridge" },
        { ...opts, deleteBeforeReplace: true },
    );
    return { name: network.name, resource: network };
}
