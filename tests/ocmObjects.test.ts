/**
 * The OCM objects the program declares, checked against the CRDs of open-cluster-management.io/api
 * at the pinned release (fetched by `npm run build:clis` through the Go module proxy), so a field
 * the hub would refuse fails here.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { manifestWork, smokeWork } from "../components/ocmObjects";
import { ocmApiSourceDir } from "./builds/realClis";
import { versions } from "../versions";
import { Schema, schemaProblems } from "./harness/openapi";

function crdSchema(relativePath: string, version: string): Schema {
    const crd = yaml.load(fs.readFileSync(path.join(ocmApiSourceDir(), relativePath), "utf8")) as any;
    return crd.spec.versions.find((v: any) => v.name === version).schema.openAPIV3Schema;
}

describe(`OCM objects against open-cluster-management.io/api ${versions.ocmApi}`, () => {
    const manifestWorkSchema = crdSchema(
        "work/v1/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml",
        "v1",
    );

    it("the smoke ManifestWork is valid, in the spoke's namespace, with one pinned busybox Pod", () => {
        const work = smokeWork("spoke1");
        expect(schemaProblems(work, manifestWorkSchema)).toEqual([]);
        expect(work.metadata.namespace).toBe("spoke1");
        const [pod] = work.spec.workload.manifests as any[];
        expect(pod).toMatchObject({ kind: "Pod", metadata: { name: "hello", namespace: "default" } });
        expect(pod.spec.containers[0].image).toBe(versions.smokeImage);
        expect(versions.smokeImage).toMatch(/^busybox:\d+\.\d+\.\d+$/);
    });

    it("the schema check refuses what the hub would refuse", () => {
        const work = manifestWork("w", "spoke1", []);
        expect(schemaProblems({ ...work, spec: { ...work.spec, workloads: {} } }, manifestWorkSchema)).toEqual([
            "spec.workloads: not a field of this schema",
        ]);
        expect(
            schemaProblems(
                { ...work, spec: { ...work.spec, deleteOption: { propagationPolicy: "Background" } } },
                manifestWorkSchema,
            ),
        ).toEqual([expect.stringMatching(/^spec\.deleteOption\.propagationPolicy: "Background" is not one of/)]);
        expect(schemaProblems({ ...work, spec: { workload: { manifests: {} } } }, manifestWorkSchema)).toEqual([
            "spec.workload.manifests: object, not array",
        ]);
    });
});
