export * from "./hubCluster";
export * from "./spokeCluster";
export * from "./clusterRegistration";
export * from "./argoAgentAddon";
export * from "./imageCache";
