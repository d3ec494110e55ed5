/** Everything kind, k3d and existing clusters do differently, behind one Runtime interface; this picks one. */
import { LabConfig } from "../config";
import { existingRuntime } from "./existing";
import { k3dRuntime } from "./k3d";
import { kindRuntime } from "./kind";
import { ClusterRuntime } from "./runtime";

export * from "./runtime";

/** The runtime the stack names; existing is made from the lab's contexts and hub address. */
export function runtimeFor(
    lab: Pick<LabConfig, "runtime" | "hubName" | "contexts" | "hubApiServer" | "hubGrpcServer">,
): ClusterRuntime {
    switch (lab.runtime) {
        case "kind":
            return kindRuntime;
        case "k3d":
            return k3dRuntime;
        case "existing":
            return existingRuntime(lab);
    }
}
