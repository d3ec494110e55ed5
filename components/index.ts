/** The program's components: one file per part of the lab (hub, spoke, registration, image cache, add-on). */
export * from "./hubCluster";
export * from "./spokeCluster";
export * from "./clusterRegistration";
export * from "./argoAgentAddon";
export * from "./imageCache";
