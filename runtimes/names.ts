/**
 * Names the runtimes give things on the machine, with no Pulumi imports, so the front door
 * (cli/lab.ts) can check them before a program runs.
 */

/**
 * The docker network all clusters of one lab join (runtimes/network.ts): k3d would otherwise give
 * each cluster its own, and kind would put every lab on the machine on its one network `kind`.
 */
export const labNetworkName = (labName: string) => `ocm-lab-${labName}`;
