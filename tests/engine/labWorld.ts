/**
 * What the engine-tier tests read back from the fake clusters and the real Docker engine: what
 * `kubectl get` on the hub or a spoke would say, from the fakes' state.
 */
import * as path from "path";
import { spawnSync } from "child_process";
import { EngineLab } from "./engineLab";
import { cacheVolumeNames } from "../../runtimes/mirrors";
import { versions } from "../../versions";

type Runtime = "kind" | "k3d";

export const managedCluster = (lab: EngineLab, name: string, runtime?: Runtime) =>
    `${lab.fake.cluster("hub", runtime)}/hub/managedclusters/${name}`;

/** Each ManagedCluster named is accepted and was registered by a klusterlet on `onCluster` (itself by default). */
export function expectRegistered(lab: EngineLab, names: string[], runtime?: Runtime, onCluster?: string): void {
    for (const name of names) {
        expect(lab.fake.read(`${managedCluster(lab, name, runtime)}/accepted`).trim()).toBe("true");
        expect(lab.fake.read(`${managedCluster(lab, name, runtime)}/spoke`).trim()).toBe(
            path.basename(lab.fake.cluster(onCluster ?? name, runtime)),
        );
    }
}

/** The guestbook's Deployment on a spoke, as the fake Argo CD delivers it. */
export const guestbookOf = (lab: EngineLab, spoke: string, runtime?: Runtime) =>
    `${lab.fake.cluster(spoke, runtime)}/objects/deployment/guestbook/guestbook-ui`;

/** The guestbook source the lab's ApplicationSet names by default: repository, path and revision. */
const defaultGuestbookSource = `${versions.guestbookRepo} ${versions.guestbookPath} ${versions.guestbookRevision}`;

/**
 * The Argo CD guestbook Deployment is Available on each spoke, synced from `source` (the fake Argo
 * CD's record of what the lab's ApplicationSet asked for: tests/fakes/kubectl deliver_apps).
 */
export function expectGuestbook(
    lab: EngineLab,
    spokes: string[],
    runtime?: Runtime,
    source = defaultGuestbookSource,
): void {
    for (const spoke of spokes) {
        const deployment = guestbookOf(lab, spoke, runtime);
        expect(`${spoke}: ${lab.fake.read(`${deployment}/conditions/Available`).trim()}`).toBe(`${spoke}: True`);
        expect(`${spoke}: ${lab.fake.read(`${deployment}/source`)}`).toBe(`${spoke}: ${source}`);
    }
}

/** The smoke ManifestWork's Pod, as the cluster runs it (the fake work agent's record). */
export const smokePod = (lab: EngineLab, cluster: string) => `${lab.fake.cluster(cluster)}/objects/pod/default/hello`;

export function expectSmokePodRunning(lab: EngineLab, clusters: string[]): void {
    for (const cluster of clusters) {
        expect(`${cluster}: ${lab.fake.read(`${smokePod(lab, cluster)}/phase`).trim()}`).toBe(`${cluster}: Running`);
    }
}

/** The hub's record of the smoke ManifestWork for a cluster (what the work agent acts on). */
export const smokeWork = (lab: EngineLab, cluster: string) =>
    `${lab.fake.cluster("hub")}/hub/manifestworks/${cluster}/ocm-lab-smoke`;

/** What the fake Argo CD operator hashed into argocd-secret ("bcrypt:<password>"). */
export function adminHash(lab: EngineLab): string {
    const file = `${lab.fake.cluster("hub")}/objects/secret/argocd/argocd-secret/data/admin.password`;
    return Buffer.from(lab.fake.read(file), "base64").toString();
}

/** A stack output, read back with the pinned CLI (secrets shown). */
export function stackOutput(lab: EngineLab, stack: string, name: string): any {
    const shown = lab.pulumi(["stack", "output", name, "--show-secrets", "--json", "--stack", stack]);
    if (shown.code !== 0) {
        throw new Error(`pulumi stack output ${name} failed: ${shown.stderr}`);
    }
    return JSON.parse(shown.stdout);
}

/** What each cluster's runtime found of its mirrors when the cluster was made ("<host> up|missing"). */
export const mirrorsSeen = (lab: EngineLab, cluster: string, runtime?: Runtime) =>
    lab.fake
        .read(`${lab.fake.cluster(cluster, runtime)}/mirrors`)
        .trim()
        .split("\n")
        .sort();

/** The mirror container names of a lab, sorted. */
export const mirrorNames = (stack: string) =>
    ["docker-io", "gcr-io", "ghcr-io", "public-ecr-aws", "quay-io", "registry-k8s-io"].map(
        (slug) => `ocm-lab-${stack}-mirror-${slug}`,
    );

/** Every cache volume a lab makes, sorted. */
export const cacheVolumes = () => cacheVolumeNames().sort();

/** Mirror containers of the lab on the real Docker engine (made by the docker stand-in), sorted. */
export function mirrorContainers(lab: EngineLab): string[] {
    return lab.madeSince("container", "ocm-lab-");
}

/** Cache volumes on the real Docker engine made during this test, sorted. */
export function madeCacheVolumes(lab: EngineLab): string[] {
    return lab.madeSince("volume", "ocm-lab-cache-");
}

/** Whether the network exists on the real Docker engine. */
export function networkExists(lab: EngineLab, name: string): boolean {
    return spawnSync(lab.env().REAL_DOCKER!, ["network", "inspect", name], { encoding: "utf8" }).status === 0;
}

/** The resources the engine deleted, by name, in the order its progress lines say they finished. */
export function deletedInOrder(output: string): string[] {
    return [...output.matchAll(/^ +- +\S+ (\S+) deleted \(/gm)].map((m) => m[1]);
}

/**
 * What the engine did to each resource it changed, by name, from its progress lines: `created`,
 * `updated`, `deleted`, or for a replacement (three lines: `created replacement`, `replaced`,
 * `deleted original`) `replaced` when the new one came first, `replaced, deleted first` otherwise.
 */
export function changesIn(output: string): Record<string, string> {
    const seen: Record<string, string[]> = {};
    const line =
        /^ +[-+~]{1,2} +\S+ (\S+) (created replacement|deleted original|replaced|updated|created|deleted) \(/gm;
    for (const [, name, done] of output.matchAll(line)) {
        (seen[name] ??= []).push(done);
    }
    return Object.fromEntries(
        Object.entries(seen).map(([name, done]) => {
            if (!done.includes("replaced")) {
                return [name, done[0]];
            }
            const [made, deleted] = [done.indexOf("created replacement"), done.indexOf("deleted original")];
            return [name, deleted >= 0 && (made < 0 || deleted < made) ? "replaced, deleted first" : "replaced"];
        }),
    );
}

/** Whether a fake-tool call matches `pattern`, the call padded with a space each side (for expectInOrder). */
export const callMatching = (pattern: RegExp) => (call: string) => pattern.test(` ${call} `);
