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
            "cli/installTools.ts",
            "cli/lab.ts",
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
