import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { cacheVolumeName, labMirrors, RegistryMirror } from "../runtimes/mirrors";
import { ImageCacheRef, SharedNetwork } from "../runtimes";

export interface ImageCacheArgs {
    /** The lab (stack) name: mirror containers are the lab's own. */
    labName: string;
    /** The lab network: the mirrors listen there and nowhere else. */
    network: SharedNetwork;
    /** The registry image, pinned (versions.registryMirror). */
    image: string;
}

/**
 * One pull-through mirror per upstream registry, for every cluster of the lab: each image crosses
 * the internet once per machine instead of once per cluster and per `up`.
 *
 * - The containers are this lab's, named after it, on its network only (no published port).
 * - The volumes hold the cached images. They are one per registry and per machine, so every lab on
 *   the machine reads and fills the same cache, and they outlive `destroy` (retainOnDelete);
 *   `npm run destroy -- <stack> --purge-cache` removes them.
 * - A mirror that is down (or restarting, offline) never stops the lab: every node lists the upstream
 *   after its mirror (runtimes/mirrors.ts).
 * - Expiry is off (`REGISTRY_PROXY_TTL=0`): the registry then keeps no schedule file in the
 *   volume (distribution's registry/proxy/proxyregistry.go starts no expiry scheduler without a
 *   TTL), so two labs' mirrors can share a volume; what they write is content-addressed.
 */
export class ImageCache extends pulumi.ComponentResource implements ImageCacheRef {
    readonly mirrors: RegistryMirror[];
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ImageCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ocm-lab:index:ImageCache", name, {}, opts);

        // keepLocally: other labs on the machine run the same image; destroy leaves it for them.
        const image = new docker.RemoteImage(
            "registry-image",
            { name: args.image, keepLocally: true },
            { parent: this },
        );

        this.mirrors = labMirrors(args.labName);
        this.ready = this.mirrors.map((mirror) => {
            const volume = new docker.Volume(
                `cache-${mirror.registry}`,
                { name: cacheVolumeName(mirror.registry) },
                { parent: this, retainOnDelete: true },
            );
            return new docker.Container(
                `mirror-${mirror.registry}`,
                {
                    name: mirror.host,
                    image: image.imageId,
                    envs: [`REGISTRY_PROXY_REMOTEURL=${mirror.upstream}`, "REGISTRY_PROXY_TTL=0"],
                    networksAdvanced: [{ name: args.network.name }],
                    volumes: [{ volumeName: volume.name, containerPath: "/var/lib/registry" }],
                    // The pinned registry asks its upstream for /v2/ as it starts and exits when that
                    // fails (distribution's registry/proxy/proxyauth.go getAuthURLs, and the panic in
                    // registry/handlers/app.go). Offline, a mirror then restarts until its upstream
                    // answers, and nodes pull upstream. mustRun false: the provider never waits for a
                    // container to run, but with mustRun a container it finds stopped is recorded as
                    // such, and every later `up` would update it to start it again
                    // (terraform-provider-docker v4.5.0 resource_docker_container_funcs.go:812-824).
                    restart: "unless-stopped",
                    mustRun: false,
                    labels: [
                        { label: "ocm-lab.lab", value: args.labName },
                        { label: "ocm-lab.mirror-of", value: mirror.registry },
                    ],
                },
                { parent: this, dependsOn: [args.network.resource, image], deleteBeforeReplace: true },
            );
        });

        this.registerOutputs({ mirrors: this.mirrors });
    }
}
