export * from "./hubCluster";
export * from "./spokeCluster";
export * from "./clusterRegistration";
