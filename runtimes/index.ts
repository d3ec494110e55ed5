import { RuntimeName } from "../config";
import { k3dRuntime } from "./k3d";
import { kindRuntime } from "./kind";
import { ClusterRuntime } from "./runtime";

export * from "./runtime";

const runtimes: Record<RuntimeName, ClusterRuntime> = { kind: kindRuntime, k3d: k3dRuntime };

export function runtimeFor(name: RuntimeName): ClusterRuntime {
    return runtimes[name];
}
