/** The promises the repository makes about itself: one source for versions, steps built alike. */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { configDefaults } from "../config";
import { stepCommand } from "../scripts";
import { versions } from "../versions";
import { projectRoot } from "./harness/program";

const scriptsDir = path.join(projectRoot, "scripts");
const stepFiles = ["", "kind", "k3d"].flatMap((dir) =>
    fs
        .readdirSync(path.join(scriptsDir, dir))
        .filter((f) => f.endsWith(".sh") && f !== "lib.sh")
        .map((f) => path.join(dir, f)),
);

describe("the project", () => {
    it("declares in Pulumi.yaml the same defaults the program applies", () => {
        const project = yaml.load(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as any;
        const defaults = Object.fromEntries(
            Object.entries(project.config)
                .filter(([, v]: [string, any]) => "default" in v)
                .map(([k, v]: [string, any]) => [k, v.default]),
        );
        expect(defaults).toEqual({
            hubName: configDefaults.hubName,
            spokes: configDefaults.spokes,
            kindNodeImage: versions.kindNodeImage,
            k3dNodeImage: versions.k3dNodeImage,
            clusteradmBundleVersion: versions.ocmBundle,
            resourceQosClass: configDefaults.resourceQosClass,
            timeoutSeconds: configDefaults.timeoutSeconds,
        });
        expect(project.name).toBe("ocm-lab");
    });

    it("sets the runtime in each stack file", () => {
        for (const stack of ["kind", "k3d"]) {
            const file = yaml.load(fs.readFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), "utf8")) as any;
            expect(file.config["ocm-lab:runtime"]).toBe(stack);
        }
    });

    it.each(stepFiles)("step %s is strict, says what it does and reads, and sources lib.sh", (file) => {
        const lines = fs.readFileSync(path.join(scriptsDir, file), "utf8").split("\n");
        expect(lines[0]).toBe("#!/usr/bin/env bash");
        expect(lines[1]).toBe("set -euo pipefail");
        expect(lines[2]).toMatch(/^# \S/);
        expect(lines.slice(2, 6).join("\n")).toMatch(/Reads [A-Z_]+/);
        expect(stepCommand(file)).toBe(`scripts/${file}`);
    });

    it("keeps its layers pointing one way: runtimes/ and scripts/ never import from components/", () => {
        const importsOf = (dir: string) =>
            fs
                .readdirSync(path.join(projectRoot, dir))
                .filter((f) => f.endsWith(".ts"))
                .flatMap((f) =>
                    [...fs.readFileSync(path.join(projectRoot, dir, f), "utf8").matchAll(/from "([^"]+)"/g)].map(
                        (m) => `${dir}/${f}: ${m[1]}`,
                    ),
                );
        const upward = [...importsOf("runtimes"), ...importsOf("scripts")].filter((i) => /components/.test(i));
        expect(upward).toEqual([]);
        // the check sees imports at all
        expect(importsOf("runtimes").some((i) => i.endsWith("../scripts/step"))).toBe(true);
    });

    it("never pipes a downloaded script into a shell, anywhere a user or CI would run it", () => {
        const files = [
            "README.md",
            "tools/installTools.ts",
            "tools/lab.ts",
            ".ci/run",
            ...stepFiles.map((f) => `scripts/${f}`),
        ];
        const workflows = fs
            .readdirSync(path.join(projectRoot, ".github", "workflows"))
            .map((f) => `.github/workflows/${f}`);
        const piped = [...files, ...workflows].filter((f) =>
            /\|\s*(sudo\s+)?(ba)?sh\b|install\.sh/.test(fs.readFileSync(path.join(projectRoot, f), "utf8")),
        );
        expect(piped).toEqual([]);
    });

    it("runs exactly the README's test command in CI", () => {
        const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");
        const ci = fs.readFileSync(path.join(projectRoot, ".ci", "run"), "utf8");
        expect(readme).toContain("npm test");
        expect(ci.trim().split("\n").pop()).toBe("npm test");
    });
});

describe("the pull-request workflow", () => {
    const workflow = yaml.load(
        fs.readFileSync(path.join(projectRoot, ".github", "workflows", "preview.yml"), "utf8"),
    ) as any;

    it("previews both stacks with pulumi/actions@v7 and comments on the PR, backend from a secret", () => {
        const job = workflow.jobs.preview;
        expect(job.strategy.matrix.stack).toEqual(["kind", "k3d"]);
        const step = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        expect(step.uses).toBe("pulumi/actions@v7");
        expect(step.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "comment-on-pr": true,
            "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
        });
        // v7 does not install dependencies itself
        expect(job.steps.map((s: any) => s.run)).toContain("npm ci");
        expect(workflow.permissions["pull-requests"]).toBe("write");
    });

    it("runs the tests the way CI does", () => {
        const runs = workflow.jobs.test.steps.map((s: any) => s.run);
        expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
        expect(workflow.jobs.test.steps.find((s: any) => s.with?.["node-version"]).with["node-version"]).toBe(22);
    });
});
