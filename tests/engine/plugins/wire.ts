/**
 * What every stand-in plugin shares: the engine's wire format for secret and unknown values, and the
 * engine's Log service, which a real provider writes its progress to.
 *
 * - A secret crosses the wire as `{ <sig>: <secret sig>, value }` once the provider's Configure says
 *   it accepts secrets (the SDK's provider server always does): the constants are Pulumi's
 *   (sdk/go/common/resource/sig/sig.go, the same in @pulumi/pulumi runtime/rpc.ts).
 * - A value not known yet (a preview) is the string `unknownValue`.
 */
import * as grpc from "@grpc/grpc-js";

const specialSig = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSig] === secretSig;
}

/** The plain value, with every secret (at any depth) unwrapped. */
export function reveal(value: any): any {
    if (isSecret(value)) {
        return reveal(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

export function secret(value: unknown): unknown {
    return { [specialSig]: secretSig, value };
}

/** The top-level input names that hold a secret anywhere inside: their outputs stay secret. */
export function secretKeys(inputs: Record<string, unknown>): Set<string> {
    const holds = (value: unknown): boolean =>
        isSecret(value) ||
        (Array.isArray(value) && value.some(holds)) ||
        (typeof value === "object" && value !== null && Object.values(value).some(holds));
    return new Set(Object.keys(inputs).filter((key) => holds(inputs[key])));
}

/** `outputs` with every key in `keys` wrapped as a secret again. */
export function keepSecret(outputs: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, keys.has(k) ? secret(v) : v]));
}

/** True when `value` holds a value the engine does not know yet (at preview). */
export function holdsUnknown(value: unknown): boolean {
    if (value === unknownValue) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(holdsUnknown);
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).some(holdsUnknown);
    }
    return false;
}

/**
 * The engine's address, the plugin's first argument (flags such as `--logtostderr` and `-v=` are the
 * engine's and are skipped, as @pulumi/pulumi provider/internals.ts parseArgs does).
 */
export function engineAddress(args: string[]): string | undefined {
    return args.find((arg) => !arg.startsWith("-"));
}

/**
 * Writes info lines to the engine's Log service, tied to a resource and ephemeral, which is how a real
 * provider's progress reaches `pulumi up`'s display and the Automation API's event stream (pulumi-command
 * util.LogOutput calls the go provider's InfoStatus, an ephemeral info message).
 */
export class EngineLog {
    private client: any;

    constructor(address: string | undefined) {
        if (address) {
            const rpc = require("@pulumi/pulumi/proto/engine_grpc_pb.js");
            this.client = new rpc.EngineClient(address, grpc.credentials.createInsecure());
        }
    }

    info(urn: string, message: string): Promise<void> {
        if (!this.client) {
            return Promise.resolve();
        }
        const proto = require("@pulumi/pulumi/proto/engine_pb.js");
        const request = new proto.LogRequest();
        request.setSeverity(proto.LogSeverity.INFO);
        request.setMessage(message);
        request.setUrn(urn);
        request.setEphemeral(true);
        return new Promise((resolve) => this.client.log(request, () => resolve()));
    }
}

/** The resource's name, the last part of its URN. */
export function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** The resource's type name: `Network` of `docker:index/network:Network` (the URN's type, after any parents'). */
export function typeOf(urn: string): string {
    const type = (urn.split("::")[2] ?? "").split("$").pop() ?? "";
    return type.slice(type.lastIndexOf(":") + 1);
}
