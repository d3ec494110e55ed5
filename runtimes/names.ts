/**
 * Names the runtimes give things on the machine, with no Pulumi imports, so the front door
 * (tools/lab.ts) can check them before a program runs.
 */

/** The docker network all k3d clusters of one lab join; k3d would otherwise give each its own. */
export const k3dNetworkName = (labName: string) => `ocm-lab-${labName}`;
