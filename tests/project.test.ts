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
            smokeWork: configDefaults.smokeWork,
            imageCache: configDefaults.imageCache,
            hubSelfManaged: configDefaults.hubSelfManaged,
            klusterletMode: configDefaults.klusterletMode,
        });
        expect(project.name).toBe("ocm-lab");
    });

    it("sets the runtime in each stack file", () => {
        for (const stack of ["kind", "k3d", "existing"]) {
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

    it.each(stepFiles)("step %s expands no array that may be empty the way bash 3.2 (macOS) refuses", (file) => {
        // Under `set -u`, bash before 4.4 calls "${a[@]}" of an empty array unbound and stops. An array
        // that starts out empty (a=()) must be expanded as ${a[@]+"${a[@]}"}.
        const text = fs.readFileSync(path.join(scriptsDir, file), "utf8");
        const mayBeEmpty = [...text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=\(\)/gm)].map((m) => m[1]);
        const bare = mayBeEmpty.filter((name) =>
            text.replace(/\$\{\w+\[@\]\+"\$\{\w+\[@\]\}"\}/g, "").includes(`"\${${name}[@]}"`),
        );
        expect(bare).toEqual([]);
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

describe("the workflows", () => {
    const load = (name: string) =>
        yaml.load(fs.readFileSync(path.join(projectRoot, ".github", "workflows", name), "utf8")) as any;
    const packageScripts = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts;

    it("test.yml runs the tests the way CI does", () => {
        const job = load("test.yml").jobs.test;
        expect(job.steps.map((s: any) => s.run)).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
        expect(job.steps.find((s: any) => s.with?.["node-version"]).with["node-version"]).toBe(22);
    });

    describe("e2e.yml", () => {
        const workflow = load("e2e.yml");
        const job = workflow.jobs.lab;
        const runs: string[] = job.steps.map((s: any) => String(s.run ?? ""));
        const at = (text: string) => {
            const index = runs.findIndex((r) => r.includes(text));
            expect(index).toBeGreaterThanOrEqual(0); // the step exists
            return index;
        };

        it("runs on pull requests that touch the program, weekly and by hand, for both stacks", () => {
            expect(workflow.on.pull_request.paths).toEqual(expect.arrayContaining(["scripts/**", "components/**"]));
            expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \d$/);
            expect(workflow.on).toHaveProperty("workflow_dispatch");
            expect(job.strategy.matrix.stack).toEqual(["kind", "k3d"]);
        });

        it("runs README's commands in order: up, status, an up with no changes, destroy, nothing left", () => {
            for (const script of ["up", "status", "preview", "destroy", "pulumi"]) {
                expect(packageScripts[script]).toBeDefined(); // the commands README documents
            }
            const headUp = runs.findIndex(
                (r, i) => r.includes('npm run up -- "$STACK"') && job.steps[i].if === undefined,
            );
            expect(headUp).toBeGreaterThan(at("npm ci"));
            expect(at('npm run status -- "$STACK"')).toBeGreaterThan(headUp);
            expect(at("--expect-no-changes")).toBeGreaterThan(at('npm run status -- "$STACK"'));
            const destroy = at('npm run destroy -- "$STACK"');
            expect(destroy).toBeGreaterThan(at("--expect-no-changes"));
            expect(job.steps[destroy].if).toBe("always()");
            expect(at("docker network ls")).toBeGreaterThan(destroy);
            // the image cache outlives destroy, and goes with --purge-cache
            expect(runs[at("docker network ls")]).toContain("^ocm-lab-cache-");
            expect(at('npm run destroy -- "$STACK" --purge-cache')).toBeGreaterThan(at("docker network ls"));
        });

        it("on a pull request, previews the head against a lab brought up from the base commit", () => {
            const base = job.steps.find((s: any) => s.with?.ref === "${{ github.event.pull_request.base.sha }}");
            expect(base.with.path).toBe("base");
            const baseUp = job.steps.findIndex(
                (s: any) => s["working-directory"] === "base" && /npm run up/.test(s.run),
            );
            const preview = at('npm run preview -- "$STACK"');
            expect(job.steps[preview]["working-directory"]).toBe("head");
            expect(preview).toBeGreaterThan(baseUp);
            expect(
                runs.findIndex(
                    (r, i) => r.includes('npm run up -- "$STACK"') && job.steps[i]["working-directory"] === "head",
                ),
            ).toBeGreaterThan(preview);
            expect(at("gh pr comment")).toBeGreaterThan(preview);
            // one backend for both checkouts, and only the CLI package.json pins (no setup action of its own)
            expect(job.env.PULUMI_BACKEND_URL).toMatch(/^file:\/\//);
            expect(job.steps.some((s: any) => String(s.uses).startsWith("pulumi/"))).toBe(false);
        });

        it("uploads run records always and diagnostics on failure", () => {
            const uploads = job.steps.filter((s: any) => String(s.uses).startsWith("actions/upload-artifact@"));
            expect(uploads.find((s: any) => s.if === "always()").with.path).toContain(
                ".ocm-lab/${{ matrix.stack }}/runs/",
            );
            expect(uploads.find((s: any) => s.if === "failure()").with.path).toContain("diagnostics");
            expect(runs[at("get managedclusters -o yaml")]).toContain("managedclusteraddons");
        });
    });
});
