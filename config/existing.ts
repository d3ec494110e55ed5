/** Existing clusters: the kubectl contexts a lab of runtime existing registers, and the hub address it hands out. */
import type { RawLabConfig } from ".";
import type { KlusterletMode, RegistrationDriver } from "./registration";
import { nearestOf, show } from "./values";

/**
 * runtime existing: a context for the hub and for every spoke (ocm-lab:contexts), each cluster its
 * own (entries for other names are kept for later and not read); optionally the hub address to hand
 * to klusterlets (ocm-lab:hubApiServer), never a loopback one, which a spoke would take for itself
 * (the register page's warning). Hosted mode is refused:
 * the hub would need its own way to reach each spoke, which a context does not say. Other runtimes
 * make their clusters and refuse both keys, so a stack cannot look as if it registered them.
 */
export function parseExisting(
    raw: RawLabConfig,
    existing: boolean,
    hubName: unknown,
    spokes: string[],
    modes: Record<string, KlusterletMode>,
    problems: string[],
): { contexts: Record<string, string>; hubApiServer?: string } {
    if (!existing) {
        for (const key of ["contexts", "hubApiServer"] as const) {
            if (raw[key] !== undefined) {
                problems.push(
                    `ocm-lab:${key} is set, but only runtime existing reads it (this stack's runtime is ${show(raw.runtime)}); ` +
                        `next: pulumi config rm ocm-lab:${key}, or pulumi config set ocm-lab:runtime existing`,
                );
            }
        }
        return { contexts: {} };
    }
    const names = typeof hubName === "string" ? [hubName, ...spokes] : spokes;
    const example = (name: string) => `pulumi config set --path 'ocm-lab:contexts.${name}' <kubectl context>`;
    const given = raw.contexts;
    const contexts: Record<string, string> = {};
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
        problems.push(
            `ocm-lab:contexts is ${given === undefined ? "not set" : show(given)}; runtime existing needs a map of ` +
                `cluster name to kubectl context, for the hub and every spoke (kubectl config get-contexts lists yours). ` +
                `Example: ${example(names[0] ?? "hub")}`,
        );
    } else {
        // Entries for clusters the lab does not have are left alone: a spoke dropped from ocm-lab:spokes
        // may keep its context, to come back later. A missing one names the nearest of them.
        for (const name of names.filter((n) => n in given)) {
            const context = (given as Record<string, unknown>)[name];
            if (typeof context !== "string" || !/^\S+$/.test(context)) {
                problems.push(
                    `ocm-lab:contexts.${name} is ${show(context)}; it must be a kubectl context name. Example: ${example(name)}`,
                );
            } else {
                contexts[name] = context;
            }
        }
        const others = Object.keys(given).filter((k) => !names.includes(k));
        for (const name of names.filter((n) => !(n in given))) {
            const nearest = others.length > 0 ? ` (is ocm-lab:contexts.${nearestOf(name, others)} meant for it?)` : "";
            problems.push(`ocm-lab:contexts has no entry for ${name}${nearest}; next: ${example(name)}`);
        }
        const seen = new Map<string, string>();
        for (const [name, context] of Object.entries(contexts)) {
            const other = seen.get(context);
            if (other !== undefined) {
                problems.push(
                    `ocm-lab:contexts gives ${other} and ${name} the same context ${show(context)}; ` +
                        `each cluster of the lab must be its own. Next: ${example(name)}`,
                );
            }
            seen.set(context, name);
        }
    }
    for (const [spoke, mode] of Object.entries(modes)) {
        if (mode === "hosted") {
            problems.push(
                `the klusterlet mode of ${spoke} is hosted, which runtime existing does not offer (the hub would need ` +
                    `its own address for ${spoke}); next: pulumi config set --path 'ocm-lab:klusterletModes.${spoke}' default ` +
                    `(or pulumi config set ocm-lab:klusterletMode default)`,
            );
        }
    }
    const hubApiServer = raw.hubApiServer;
    if (hubApiServer !== undefined) {
        if (typeof hubApiServer !== "string" || !/^https:\/\/[^\s/]+\/?$/.test(hubApiServer)) {
            problems.push(
                `ocm-lab:hubApiServer is ${show(hubApiServer)}; it must be the hub's API server URL. ` +
                    `Example: pulumi config set ocm-lab:hubApiServer https://hub.example.internal:6443`,
            );
        } else if (isLoopbackUrl(hubApiServer)) {
            problems.push(loopbackProblem("ocm-lab:hubApiServer", hubApiServer));
        } else {
            return { contexts, hubApiServer: hubApiServer.replace(/\/$/, "") };
        }
    }
    return { contexts };
}

/** A URL whose host is this machine itself: a klusterlet elsewhere would reach its own cluster, or nothing. */
export function isLoopbackUrl(url: string): boolean {
    const host = /^[a-z]+:\/\/(\[[^\]]*\]|[^:/]*)/i.exec(url)?.[1]?.toLowerCase() ?? "";
    return host === "localhost" || host === "0.0.0.0" || host === "[::1]" || /^127\./.test(host);
}

/** What to say when the hub address a spoke would be handed is a loopback one. */
export function loopbackProblem(what: string, url: string): string {
    return (
        `${what} is ${url}, a loopback address: a spoke's klusterlet would look for the hub on its own machine ` +
        `(the register page's warning about 127.0.0.1). Next: pulumi config set ocm-lab:hubApiServer ` +
        `https://<an address of the hub every spoke and this machine reach>:<port>`
    );
}

/**
 * ocm-lab:hubGrpcServer, `host:port`: where the spokes of a lab on existing clusters reach the hub's
 * gRPC server. The lab cannot expose it on a cluster it did not make, so the user does (a
 * LoadBalancer, an Ingress with TLS passthrough, a NodePort) and names the address; init asks the
 * operator for a certificate that covers its host. Needed once any spoke registers with grpc, and
 * read by runtime existing only: kind and k3d expose the server on the lab's network themselves.
 */
export function parseHubGrpcServer(
    raw: RawLabConfig,
    existing: boolean,
    registrations: Record<string, RegistrationDriver>,
    problems: string[],
): string | undefined {
    const given = raw.hubGrpcServer;
    const example = "pulumi config set ocm-lab:hubGrpcServer grpc.hub.example.internal:443";
    if (!existing) {
        if (given !== undefined) {
            problems.push(
                `ocm-lab:hubGrpcServer is set, but only runtime existing reads it (this stack's runtime is ${show(raw.runtime)}; ` +
                    `kind and k3d expose the hub's gRPC server themselves); next: pulumi config rm ocm-lab:hubGrpcServer`,
            );
        }
        return undefined;
    }
    const grpcSpokes = Object.keys(registrations).filter((spoke) => registrations[spoke] === "grpc");
    if (given === undefined) {
        if (grpcSpokes.length > 0) {
            problems.push(
                `${grpcSpokes.join(", ")} register(s) with grpc, but ocm-lab:hubGrpcServer is not set: runtime existing ` +
                    `needs the host:port at which the spokes reach the hub's gRPC server (expose the Service ` +
                    `cluster-manager-grpc-server, port 8090, in open-cluster-management-hub). Next: ${example}`,
            );
        }
        return undefined;
    }
    if (typeof given !== "string" || grpcServerHost(given) === undefined) {
        problems.push(
            `ocm-lab:hubGrpcServer is ${show(given)}; it must be host:port, without a scheme. Example: ${example}`,
        );
        return undefined;
    }
    if (isLoopbackUrl(`grpc://${given}`)) {
        problems.push(
            `ocm-lab:hubGrpcServer is ${given}, a loopback address: a spoke's klusterlet would look for the hub's gRPC ` +
                `server on its own machine. Next: pulumi config set ocm-lab:hubGrpcServer <an address of the hub every spoke reaches>:<port>`,
        );
        return undefined;
    }
    return given as string;
}

/**
 * The host of a `host:port` gRPC address (an IPv6 host in brackets comes back without them), or
 * undefined when it is no such address: the host init asks the operator's certificate to cover.
 */
export function grpcServerHost(address: string): string | undefined {
    const match = /^([^\s:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(address);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        return undefined;
    }
    return match[1].replace(/^\[|\]$/g, "");
}
