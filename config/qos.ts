/** Resource QoS: the resource class, limits and requests clusteradm gives OCM's containers. */
import type { RawLabConfig } from ".";
import { show } from "./values";

export type ResourceQosClass = "Default" | "BestEffort" | "ResourceRequirement";
const qosClasses: readonly ResourceQosClass[] = ["Default", "BestEffort", "ResourceRequirement"];

/** Resource settings for the OCM agents, passed to `clusteradm init` and `clusteradm join`. */
export interface ResourceQos {
    qosClass: ResourceQosClass;
    /** e.g. `{ cpu: "500m", memory: "512Mi" }`; only with qosClass ResourceRequirement. */
    limits: Record<string, string>;
    requests: Record<string, string>;
}

export const qosDefaults = {
    resourceQosClass: "Default" as ResourceQosClass,
};

const quantity = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

export function parseQos(raw: RawLabConfig, problems: string[]): ResourceQos {
    const qosClass = raw.resourceQosClass ?? qosDefaults.resourceQosClass;
    if (typeof qosClass !== "string" || !(qosClasses as readonly string[]).includes(qosClass)) {
        problems.push(
            `ocm-lab:resourceQosClass is ${show(qosClass)}; it must be one of ${qosClasses.join(", ")}. ` +
                `Example: ResourceRequirement`,
        );
    }
    const limits = parseQuantities("ocm-lab:resourceLimits", raw.resourceLimits, problems);
    const requests = parseQuantities("ocm-lab:resourceRequests", raw.resourceRequests, problems);
    const hasAmounts = Object.keys(limits).length + Object.keys(requests).length > 0;
    // The two checks below are clusteradm v1.3.1's own (pkg/helpers/resourcerequirement), which it
    // makes only mid-init or mid-join: here they fail before anything exists.
    if (!hasAmounts && qosClass === "ResourceRequirement") {
        problems.push(
            `ocm-lab:resourceQosClass is "ResourceRequirement" but neither ocm-lab:resourceLimits nor ` +
                `ocm-lab:resourceRequests is set; clusteradm refuses that. ` +
                `Example: pulumi config set --path 'ocm-lab:resourceRequests.memory' 128Mi`,
        );
    }
    for (const [resource, limit] of Object.entries(limits)) {
        const request = requests[resource];
        if (request !== undefined && quantityValue(request) > quantityValue(limit)) {
            problems.push(
                `ocm-lab:resourceRequests.${resource} is ${show(request)}, more than ocm-lab:resourceLimits.${resource} ` +
                    `${show(limit)}; a request must not exceed its limit. ` +
                    `Example: pulumi config set --path 'ocm-lab:resourceRequests.${resource}' ${limit}`,
            );
        }
    }
    if (hasAmounts && qosClass !== "ResourceRequirement") {
        problems.push(
            `ocm-lab:resourceLimits/resourceRequests are set but ocm-lab:resourceQosClass is ${show(qosClass)}; ` +
                `clusteradm applies them only with ResourceRequirement. ` +
                `Example: pulumi config set ocm-lab:resourceQosClass ResourceRequirement`,
        );
    }
    return { qosClass: qosClass as ResourceQosClass, limits, requests };
}

const quantitySuffixes: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** A quantity already matched by `quantity`, as a number of base units (cores, bytes). */
function quantityValue(amount: string): number {
    const [, number, suffix] = /^([0-9.]+)(.*)$/.exec(amount)!;
    return Number(number) * quantitySuffixes[suffix];
}

function parseQuantities(key: string, value: unknown, problems: string[]): Record<string, string> {
    if (value === undefined) {
        return {};
    }
    const example = `pulumi config set --path '${key}.memory' 512Mi`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${key} is ${show(value)}; it must be a map of resource to quantity. Example: ${example}`);
        return {};
    }
    const result: Record<string, string> = {};
    for (const [resource, amount] of Object.entries(value)) {
        if (!["cpu", "memory"].includes(resource) || typeof amount !== "string" || !quantity.test(amount)) {
            problems.push(
                `${key}.${resource} is ${show(amount)}; only cpu and memory with a Kubernetes quantity are accepted. ` +
                    `Example: ${example}`,
            );
            continue;
        }
        result[resource] = amount;
    }
    return result;
}
