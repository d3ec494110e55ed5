/**
 * The nodejs language host stand-in (plugins/nodejsLanguage.ts) under the real CLI: a Pulumi.yaml
 * `runtime: nodejs` TypeScript program in a folder of its own, run by the commands a user types
 * (`pulumi stack init`, `config set`, `preview --diff`, `up --yes`, `stack output`, `destroy --yes`)
 * rather than through the Automation API's inline program the front door uses. The CLI finds the
 * stand-in, and the random stand-in the program uses, on PATH; its state is a file:// backend in the
 * test's temporary folder.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot, releaseTurn, requireEngineTier, takeTurn } from "./engineLab";
import { realCliPath } from "../builds/realClis";

requireEngineTier();

const pluginsBin = path.join(__dirname, "plugins", "bin");

const program = `import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

const config = new pulumi.Config();
if (config.getBoolean("fail")) {
    throw new Error("the probe program was told to fail");
}
const password = new random.RandomPassword("probe", { length: config.requireNumber("length"), special: false });

export const passwordLength = password.length;
export const greeting = \`hello from \${pulumi.getProject()}/\${pulumi.getStack()}\`;
export const token = config.requireSecret("token");
export const dryRun = pulumi.runtime.isDryRun();
`;

interface Run {
    code: number;
    /** stdout and stderr in the order they came, colours removed */
    output: string;
    stdout: string;
}

describe("a `runtime: nodejs` program run by the real CLI through the nodejs language host stand-in", () => {
    let root: string;
    let project: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(() => {
        takeTurn();
        root = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-langhost-"));
        project = path.join(root, "probe");
        fs.mkdirSync(project);
        fs.mkdirSync(path.join(root, "backend"));
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            "name: langhost-probe\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
        );
        fs.writeFileSync(
            path.join(project, "package.json"),
            JSON.stringify({ name: "langhost-probe", main: "index.ts" }, null, 2),
        );
        fs.writeFileSync(
            path.join(project, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    target: "es2020",
                    // both, or neither: cmd/run gives TypeScript >= 4.7 nodenext for each (run.ts)
                    module: "commonjs",
                    moduleResolution: "node",
                    skipLibCheck: true,
                },
                files: ["index.ts"],
            }),
        );
        fs.writeFileSync(path.join(project, "index.ts"), program);
        fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(project, "node_modules"));
        env = {
            ...process.env,
            PATH: [
                path.dirname(realCliPath("pulumi")),
                pluginsBin,
                // the program's node_modules holds @pulumi/kubernetes: the engine looks for every package it requires
                path.dirname(realCliPath("pulumi-resource-kubernetes")),
                path.dirname(process.execPath),
                process.env.PATH,
            ].join(path.delimiter),
            PULUMI_HOME: path.join(root, "pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-tier",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            HTTPS_PROXY: "http://127.0.0.1:9",
            HTTP_PROXY: "http://127.0.0.1:9",
            NO_PROXY: "",
        };
    });

    afterAll(() => {
        try {
            fs.rmSync(root, { recursive: true, force: true });
        } finally {
            releaseTurn();
        }
    });

    /** `pulumi <args>` typed in the project folder. */
    const pulumi = (...args: string[]): Promise<Run> =>
        new Promise((resolve, reject) => {
            const child = spawn("pulumi", args, { cwd: project, env });
            let output = "";
            let stdout = "";
            child.stdout.setEncoding("utf8").on("data", (d: string) => ((output += d), (stdout += d)));
            child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
            child.on("error", reject);
            child.on("close", (code) =>
                resolve({ code: code ?? -1, output: output.replace(/\x1b\[[0-9;]*m/g, ""), stdout }),
            );
        });
    const succeeds = async (...args: string[]): Promise<Run> => {
        const run = await pulumi(...args);
        if (run.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${run.code}:\n${run.output}`);
        }
        return run;
    };

    it("runs preview, up, a second up, a failing program and destroy as typed", async () => {
        await succeeds("stack", "init", "dev");
        await succeeds("config", "set", "length", "12");
        await succeeds("config", "set", "--secret", "token", "s3cret-token");
        const stackFile = fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8");
        expect(stackFile).toMatch(/langhost-probe:token:\s+secure: /);
        expect(stackFile).not.toContain("s3cret-token");

        // The CLI runs the stand-in it found on PATH (sdk/v3 workspace/plugins.go warns so for any
        // bundled plugin not next to the CLI); node runs the program with --dry-run.
        const preview = await succeeds("preview", "--diff");
        expect(preview.output).toContain(`using pulumi-language-nodejs from $PATH at ${pluginsBin}`);
        expect(preview.output).toMatch(/\+ random:index\/randomPassword:RandomPassword: \(create\)/);
        expect(preview.output).toMatch(/^\s+dryRun\s*: true$/m);
        expect(preview.output).not.toContain("s3cret-token");

        const up = await succeeds("up", "--yes");
        expect(up.output).toMatch(/\+ 2 created/);

        // the config reached the program (PULUMI_CONFIG), as did --project and --stack; the secret stays one
        const outputs = JSON.parse((await succeeds("stack", "output", "--json")).stdout);
        expect(outputs).toEqual({
            passwordLength: 12,
            greeting: "hello from langhost-probe/dev",
            token: "[secret]",
            dryRun: false,
        });
        const revealed = JSON.parse((await succeeds("stack", "output", "--json", "--show-secrets")).stdout);
        expect(revealed.token).toBe("s3cret-token");

        const again = await succeeds("up", "--yes");
        expect(again.output).toMatch(/2 unchanged/);
        expect(again.output).not.toMatch(/created|updated|replaced|deleted/);

        // The program's exception is the SDK's message to the user; it exits 32 and the host bails,
        // so the CLI adds no "exited with non-zero exit code" of its own (main.go Run, `bail`).
        await succeeds("config", "set", "fail", "true");
        const failed = await pulumi("up", "--yes");
        expect(failed.code).not.toBe(0);
        expect(failed.output).toContain("Error: the probe program was told to fail");
        expect(failed.output).not.toContain("non-zero exit code");
        await succeeds("config", "rm", "fail");
        expect(JSON.parse((await succeeds("stack", "output", "--json")).stdout).passwordLength).toBe(12);

        const destroy = await succeeds("destroy", "--yes");
        expect(destroy.output).toMatch(/- 2 deleted/);
        const exported = JSON.parse((await succeeds("stack", "export")).stdout);
        expect(exported.deployment.resources ?? []).toEqual([]);
    });
});
