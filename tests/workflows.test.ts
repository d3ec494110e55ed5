/**
 * The project's GitHub workflows: actionlint (built from its pinned Go module) passes, and the
 * verdicts they give on real runners can be trusted. No workflow runs here (no GitHub), so the
 * workflows are read as data, and the scripts they call (.github/scripts) are run against fake
 * `gh`, `kubectl` and `docker`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { lintWorkflows } from "./builds/realClis";
import { expectInOrder, expectInOrderIn, placeOf } from "./harness/order";
import { projectRoot } from "./harness/program";

jest.setTimeout(300_000); // a cold machine builds actionlint first

const workflowsDir = path.join(projectRoot, ".github", "workflows");
const scriptsDir = path.join(projectRoot, ".github", "scripts");
const load = (name: string) => yaml.load(fs.readFileSync(path.join(workflowsDir, name), "utf8")) as any;
const workflowNames = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

/**
 * Steps whose script pipes one command into another in a shell without pipefail. GitHub runs a
 * `run:` with no `shell:` as `bash -e {0}`, so `npm run up | tee log` takes tee's exit code;
 * `shell: bash` is `bash --noprofile --norc -eo pipefail {0}` (GitHub's workflow syntax reference).
 */
function pipedWithoutPipefail(workflow: any): string[] {
    const found: string[] = [];
    for (const [jobName, job] of Object.entries<any>(workflow.jobs ?? {})) {
        for (const step of job.steps ?? []) {
            if (step.run === undefined) continue;
            const code = String(step.run)
                .split("\n")
                .filter((line) => !line.trim().startsWith("#"))
                .join("\n")
                .replace(/\|\|/g, "");
            if (!code.includes("|")) continue;
            const shell: string | undefined = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
            if (shell === "bash" || /\bpipefail\b/.test(shell ?? "")) continue;
            found.push(`${jobName}: ${step.name ?? String(step.run).split("\n")[0]}`);
        }
    }
    return found;
}

function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function writeExecutable(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
}

function runScript(script: string, args: string[], env: Record<string, string>, cwd = projectRoot) {
    const run = spawnSync(path.join(scriptsDir, script), args, {
        cwd,
        env: { ...process.env, ...env },
        encoding: "utf8",
        timeout: 60_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("workflow lint", () => {
    it("passes on the project's workflows", () => {
        expect(() => lintWorkflows()).not.toThrow();
    });

    it("fails on a workflow that uses an undefined matrix key", () => {
        const root = tempDir("ocm-lab-actionlint-");
        try {
            fs.mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
            fs.writeFileSync(
                path.join(root, ".github", "workflows", "broken.yml"),
                [
                    "on: push",
                    "jobs:",
                    "  e2e:",
                    "    runs-on: ubuntu-latest",
                    "    strategy:",
                    "      matrix:",
                    "        stack: [kind, k3d]",
                    "    steps:",
                    "      - run: npm run up -- ${{ matrix.stak }}",
                    "",
                ].join("\n"),
            );
            expect(() => lintWorkflows(root)).toThrow(/actionlint v\d+\.\d+\.\d+ found problems.*next: fix them/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("a piped command fails its step when any part fails", () => {
    it.each(workflowNames)("%s runs every piped script with pipefail", (name) => {
        expect(pipedWithoutPipefail(load(name))).toEqual([]);
    });

    it("finds e2e.yml's piped ups and preview when the workflow leaves the shell to GitHub's default", () => {
        const workflow = load("e2e.yml");
        delete workflow.defaults; // as e2e.yml was before it set `shell: bash`
        expect(pipedWithoutPipefail(workflow)).toEqual(
            expect.arrayContaining([
                "lab: Bring the lab up from the base commit",
                "lab: Preview the head against the running lab",
                "lab: Up",
                "existing: Up, status, and a second up that changes nothing",
            ]),
        );
    });

    it("every script the workflows call runs under bash with pipefail", () => {
        const scripts = fs.readdirSync(scriptsDir);
        expect(scripts.length).toBeGreaterThan(0);
        for (const script of scripts) {
            const text = fs.readFileSync(path.join(scriptsDir, script), "utf8");
            expect(`${script}: ${text.split("\n")[0]}`).toBe(`${script}: #!/usr/bin/env bash`);
            expect(`${script}: ${/^set -[a-z]*o pipefail$/m.test(text)}`).toBe(`${script}: true`);
        }
    });
});

describe("test.yml", () => {
    const workflow = load("test.yml");
    const job = workflow.jobs.test;

    it("runs the tests the way CI does", () => {
        expect(job.steps.map((s: any) => s.run)).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
        expect(job.steps.find((s: any) => s.with?.["node-version"]).with["node-version"]).toBe(22);
    });

    it("keeps the built CLIs between runs, keyed by the pinned versions, and updates no package lists", () => {
        const cache = job.steps.find((s: any) => String(s.uses).startsWith("actions/cache@"));
        expect(cache.with.path).toContain(".tools/go/");
        expect(cache.with.key).toContain("hashFiles('versions.ts'");
        expect(job.steps.filter((s: any) => /apt-get/.test(String(s.run ?? "")))).toEqual([]);
    });
});

describe("e2e.yml", () => {
    const workflow = load("e2e.yml");
    const job = workflow.jobs.lab;
    const steps: any[] = job.steps;
    const runs: string[] = steps.map((s) => String(s.run ?? ""));
    // Each of these fails, naming the step, when the step is missing (findIndex's -1 would pass an order check).
    const at = (text: string) => placeOf(runs, (r) => r.includes(text));
    const named = (name: string) => placeOf(steps, (s) => s.name === name);
    const headUp = () => named("Up");
    const baseUp = () => placeOf(steps, (s) => s.id === "base-up");

    it("runs on pull requests that touch the program, weekly and by hand, for both stacks", () => {
        expect(workflow.on.pull_request.paths).toEqual(
            expect.arrayContaining([
                "index.ts",
                "config/**",
                "scripts/**",
                "components/**",
                "runtimes/**",
                "cli/**",
                ".github/scripts/**",
            ]),
        );
        expect(workflow.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \d$/);
        expect(workflow.on).toHaveProperty("workflow_dispatch");
        expect(job.strategy.matrix.stack).toEqual(["kind", "k3d"]);
    });

    it("runs README's commands in order: up, status, an up with no changes, destroy, nothing left", () => {
        const packageScripts = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts;
        for (const script of ["up", "status", "preview", "destroy", "pulumi"]) {
            expect(packageScripts[script]).toBeDefined(); // the commands README documents
        }
        expect(runs[headUp()]).toContain('npm run up -- "$STACK"');
        expect(steps[headUp()].if).toBeUndefined();
        expect(headUp()).toBeGreaterThan(at("npm ci"));
        expect(at('npm run status -- "$STACK"')).toBeGreaterThan(headUp());
        expect(at("--expect-no-changes")).toBeGreaterThan(at('npm run status -- "$STACK"'));
        const destroy = named("Destroy");
        expect(destroy).toBeGreaterThan(at("--expect-no-changes"));
        expect(steps[destroy].if).toBe("always()");
        const nothingLeft = named("Nothing of the lab is left");
        expect(nothingLeft).toBeGreaterThan(destroy);
        expect(runs[nothingLeft]).toContain("docker network ls");
        // the image cache outlives destroy, and goes with --purge-cache
        expect(runs[nothingLeft]).toContain("^ocm-lab-cache-");
        expect(at('npm run destroy -- "$STACK" --purge-cache')).toBeGreaterThan(nothingLeft);
    });

    it("on a pull request, previews the head against a lab brought up from the base commit", () => {
        const base = steps.find((s) => s.with?.ref === "${{ github.event.pull_request.base.sha }}");
        expect(base.with.path).toBe("base");
        expect(steps[baseUp()]["working-directory"]).toBe("base");
        expect(runs[baseUp()]).toContain('npm run up -- "$STACK"');
        const preview = at('npm run preview -- "$STACK"');
        expect(steps[preview]["working-directory"]).toBe("head");
        expect(preview).toBeGreaterThan(baseUp());
        expect(headUp()).toBeGreaterThan(preview);
        expect(at("pr-comment.sh")).toBeGreaterThan(preview);
        // one backend for both checkouts, and only the CLI package.json pins (no setup action of its own)
        expect(job.env.PULUMI_BACKEND_URL).toMatch(/^file:\/\//);
        expect(steps.some((s) => String(s.uses).startsWith("pulumi/"))).toBe(false);
    });

    it("a base commit whose up fails does not fail the job: its lab goes, no preview, the head starts from nothing", () => {
        expect(steps[baseUp()]["continue-on-error"]).toBe(true);
        // the preview and its comment need the base's lab
        const previewSteps = steps.filter((s) => /preview/i.test(s.name ?? ""));
        expect(previewSteps.length).toBeGreaterThan(0);
        for (const step of previewSteps) {
            expect(`${step.name}: ${step.if}`).toContain("steps.base-up.outcome == 'success'");
        }
        const onFailure = steps
            .map((s, i) => ({ s, i }))
            .filter(({ s }) => s.if === "steps.base-up.outcome == 'failure'");
        const diagnostics = onFailure.find(({ s }) => String(s.run).includes("diagnostics.sh lab base"));
        const removal = onFailure.find(({ s }) => String(s.run).includes('npm run destroy -- "$STACK"'));
        expect(removal?.s["working-directory"]).toBe("base");
        expect(removal?.s.run).toContain("GITHUB_STEP_SUMMARY");
        // should the base's destroy fail too, its clusters and stack go by hand
        expect(removal?.s.run).toContain("stack rm --force");
        // seen before it is removed, and removed before the head's up
        expectInOrder(steps, diagnostics?.s, removal?.s, steps[headUp()]);
        // its evidence is uploaded
        const uploads = steps.filter((s) => String(s.uses).startsWith("actions/upload-artifact@"));
        expect(uploads.find((s) => s.with.name.startsWith("diagnostics-")).if).toContain(
            "steps.base-up.outcome == 'failure'",
        );
        expect(uploads.find((s) => s.with.name.startsWith("run-records-")).with.path).toContain(
            "base/.ocm-lab/${{ matrix.stack }}/runs/",
        );
    });

    it("uploads run records always and diagnostics on failure", () => {
        const uploads = steps.filter((s) => String(s.uses).startsWith("actions/upload-artifact@"));
        const records = uploads.find((s) => s.if === "always()");
        expect(records.with.path).toContain("head/.ocm-lab/${{ matrix.stack }}/runs/");
        const diagnostics = named("Diagnostics");
        expect(steps[diagnostics].if).toBe("failure()");
        expect(runs[diagnostics]).toContain("diagnostics.sh lab head");
        expect(uploads.find((s) => String(s.if).startsWith("failure()")).with.path).toContain("diagnostics");
        expect(named("Destroy")).toBeGreaterThan(diagnostics); // the clusters are seen before they go
    });

    it("posts the preview only where the token can write, and always in the job summary", () => {
        const comment = steps[at("pr-comment.sh")];
        expect(comment.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(comment.if).toContain("github.actor != 'dependabot[bot]'");
        const summary = named("The preview, in the job summary");
        expect(runs[summary]).toMatch(/preview\.txt[\s\S]*>>"\$GITHUB_STEP_SUMMARY"/);
        expect(steps[summary].if).toBe("steps.base-up.outcome == 'success'"); // forks too
        expect(job.permissions["pull-requests"]).toBe("write");
        expect(workflow.permissions["pull-requests"]).toBeUndefined(); // the existing job cannot comment
    });

    it("frees and shows room before the first up, and measures what the lab took after it", () => {
        const before = at("runner-room.sh before");
        expect(before).toBeLessThan(Math.min(baseUp(), headUp()));
        expect(at("runner-room.sh after")).toBeGreaterThan(headUp());
        const existing: string[] = workflow.jobs.existing.steps.map((s: any) => String(s.run ?? ""));
        expectInOrder(
            existing,
            (r) => r.includes("runner-room.sh before"),
            (r) => r.includes("npm run up -- existing"),
        );
    });

    it("bounds each long step so diagnostics and destroy still run, and keeps pull requests to their own round", () => {
        expect(job["timeout-minutes"]).toBe("${{ github.event_name == 'pull_request' && 60 || 90 }}");
        const prBound = 60;
        const destroyBound = steps[named("Destroy")]["timeout-minutes"];
        const longSteps = steps.filter((s) => /npm run (up|preview|destroy)|npm ci/.test(String(s.run ?? "")));
        expect(longSteps.length).toBeGreaterThan(0);
        for (const step of longSteps) {
            expect(`${step.name}: ${step["timeout-minutes"] > 0}`).toBe(`${step.name}: true`);
            if (step !== steps[named("Destroy")]) {
                expect(`${step.name}: ${step["timeout-minutes"] + destroyBound <= prBound}`).toBe(`${step.name}: true`);
            }
        }
        const round = steps.find((s) => /hubSelfManaged true/.test(String(s.run ?? "")));
        expect(round.if).toBe("github.event_name != 'pull_request'");
    });

    it("registers one real spoke through the hub's gRPC server on each runtime, and checks the signer of its CSR", () => {
        const round = steps.find((s) => /registrations\.spoke1' grpc/.test(String(s.run ?? "")));
        expect(round).toBeDefined();
        const run = String(round.run);
        // grpc on, an up, status, the gRPC signer on spoke1's CSR; then off again, with the NodePort gone
        const [, , , , grpcOff] = expectInOrderIn(
            run,
            "registrations.spoke1' grpc",
            "npm run up",
            "npm run status",
            "open-cluster-management.io/grpc",
            "config rm ocm-lab:registrations",
        );
        expect(run.lastIndexOf("npm run up")).toBeGreaterThan(grpcOff);
        expect(run).toContain("get service ocm-lab-grpc-server");
        expect(job.strategy.matrix.stack).toEqual(["kind", "k3d"]);
    });

    it("gives scheduled, manual and pull-request runs their own concurrency groups; only a pull request cancels", () => {
        const group = (event: string, ref: string) =>
            String(workflow.concurrency.group)
                .replace("${{ github.event_name }}", event)
                .replace("${{ github.ref }}", ref);
        expect(group("schedule", "refs/heads/main")).not.toBe(group("workflow_dispatch", "refs/heads/main"));
        expect(group("pull_request", "refs/pull/7/merge")).not.toBe(group("pull_request", "refs/pull/8/merge"));
        expect(group("schedule", "refs/heads/main")).not.toContain("${{");
        expect(workflow.concurrency["cancel-in-progress"]).toBe("${{ github.event_name == 'pull_request' }}");
    });

    it("keeps Go's caches and the lab's built CLIs between runs, keyed by the pinned versions", () => {
        const jobs = Object.values<any>(workflow.jobs);
        expect(jobs.length).toBeGreaterThan(0);
        for (const each of jobs) {
            const setupGo = each.steps.find((s: any) => String(s.uses).startsWith("actions/setup-go@"));
            expect(setupGo.with["cache-dependency-path"]).toMatch(/versions\.ts$/);
            const cache = each.steps.find((s: any) => String(s.uses).startsWith("actions/cache@"));
            expect(cache.with.path).toMatch(/\.tools\/bin$/);
            expect(cache.with.key).toMatch(/hashFiles\('(head\/)?versions\.ts'\)/);
        }
    });
});

describe("the preview comment (.github/scripts/pr-comment.sh, against a fake gh)", () => {
    const marker = (stack: string) => `<!-- ocm-lab e2e preview: ${stack} -->`;
    const bot = { login: "github-actions[bot]" };
    let dir: string;

    beforeAll(() => {
        if (spawnSync("jq", ["--version"]).status !== 0) {
            throw new Error("the fake gh filters comments with jq, as gh's --jq does; install jq (.ci/run does)");
        }
    });
    beforeEach(() => {
        dir = tempDir("ocm-lab-pr-comment-");
        // gh api: a GET lists the comments in FAKE_GH_COMMENTS through --jq (jq stands in for gh's
        // gojq); PATCH and POST record the method, the path and the body read from -F body=@file.
        writeExecutable(
            path.join(dir, "bin", "gh"),
            [
                "#!/usr/bin/env bash",
                "set -euo pipefail",
                '[ "$1" = api ] || { echo "fake gh: only api" >&2; exit 1; }',
                "shift",
                'method=GET; filter=""; body=""; endpoint=""',
                'while [ "$#" -gt 0 ]; do',
                '    case "$1" in',
                '        --method) method="$2"; shift 2 ;;',
                '        --jq) filter="$2"; shift 2 ;;',
                "        --paginate) shift ;;",
                '        -F) body="$(cat "${2#body=@}")"; shift 2 ;;',
                '        *) endpoint="$1"; shift ;;',
                "    esac",
                "done",
                'if [ "$method" = GET ]; then jq -r "$filter" <"$FAKE_GH_COMMENTS"; exit 0; fi',
                'printf "%s %s\\n%s\\n" "$method" "$endpoint" "$body" >>"$FAKE_GH_LOG"',
                "",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(dir, "preview.md"), "### preview\nresources: 3 to update\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function comment(stack: string, comments: object[]) {
        fs.writeFileSync(path.join(dir, "comments.json"), JSON.stringify(comments));
        const run = runScript("pr-comment.sh", [stack, path.join(dir, "preview.md")], {
            PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
            GITHUB_REPOSITORY: "someone/ocm-lab",
            PR: "7",
            FAKE_GH_COMMENTS: path.join(dir, "comments.json"),
            FAKE_GH_LOG: path.join(dir, "gh.log"),
        });
        expect(run.output).not.toContain("fake gh:");
        expect(run.status).toBe(0);
        return fs.existsSync(path.join(dir, "gh.log")) ? fs.readFileSync(path.join(dir, "gh.log"), "utf8") : "";
    }

    it("makes the stack's comment when the pull request has none", () => {
        const log = comment("kind", [{ id: 3, user: { login: "reviewer" }, body: "looks good" }]);
        expect(log).toBe(
            `POST repos/someone/ocm-lab/issues/7/comments\n${marker("kind")}\n### preview\nresources: 3 to update\n`,
        );
    });

    it("edits the workflow's own comment for that stack on the next push, and no other", () => {
        const comments = [
            { id: 11, user: { login: "reviewer" }, body: `${marker("kind")}\nquoted by a person` },
            { id: 12, user: bot, body: `${marker("k3d")}\nthe k3d preview` },
            { id: 13, user: bot, body: `${marker("kind")}\nthe last push's preview` },
            { id: 14, user: bot, body: `${marker("kind")}\nmade twice by an older run` },
            { id: 15, user: bot, body: `earlier text\n${marker("kind")}` },
        ];
        expect(comment("kind", comments)).toBe(
            `PATCH repos/someone/ocm-lab/issues/comments/13\n${marker("kind")}\n### preview\nresources: 3 to update\n`,
        );
        fs.rmSync(path.join(dir, "gh.log"));
        expect(comment("k3d", comments).split("\n")[0]).toBe("PATCH repos/someone/ocm-lab/issues/comments/12");
    });
});

describe("diagnostics (.github/scripts/diagnostics.sh, against fake kubectl and docker)", () => {
    let dir: string;
    const bin = () => path.join(dir, "bin");

    beforeEach(() => {
        dir = tempDir("ocm-lab-diagnostics-");
        // A cluster whose OCM CRDs never arrived: kubectl refuses those types as it does a type the
        // API server lacks, and lists pods, saying how it was called.
        writeExecutable(
            path.join(bin(), "kubectl"),
            [
                "#!/usr/bin/env bash",
                'args=("$@"); type=""',
                'for i in "${!args[@]}"; do [ "${args[$i]}" = get ] && type="${args[$((i + 1))]}"; done',
                'case "$type" in',
                '    pods) echo "kube-system   coredns-7db6d8ff4d-abcde   1/1   Running   (kubectl $*)" ;;',
                '    events) echo "No resources found" ;;',
                '    *) echo "error: the server doesn\'t have a resource type \\"$type\\"" >&2; exit 1 ;;',
                "esac",
                "",
            ].join("\n"),
        );
        // docker: `ps` lists FAKE_NODES; `exec <node> <command>` runs the command here.
        writeExecutable(
            path.join(bin(), "docker"),
            [
                "#!/usr/bin/env bash",
                'case "$1" in',
                '    ps) [ "${2:-}" = -a ] && echo "CONTAINER ID   NAMES" || printf "%s\\n" $FAKE_NODES ;;',
                '    exec) shift 2; exec "$@" ;;',
                '    *) echo "fake docker $*" ;;',
                "esac",
                "",
            ].join("\n"),
        );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const read = (file: string) => fs.readFileSync(path.join(dir, "out", file), "utf8");
    const env = (extra: Record<string, string> = {}) => ({ PATH: `${bin()}:${process.env.PATH}`, ...extra });

    it("lists a user's cluster's pods although its OCM types are missing, one type at a time", () => {
        const run = runScript("diagnostics.sh", ["contexts", path.join(dir, "out"), "kind-hub", "kind-spoke1"], env());
        expect(run.status).toBe(0);
        for (const context of ["kind-hub", "kind-spoke1"]) {
            const view = read(`context-${context}.txt`);
            expect(view).toContain('error: the server doesn\'t have a resource type "klusterlets"');
            expect(view).toMatch(
                new RegExp(`### kubectl get pods -A -o wide\\n.*coredns.*--context ${context} get pods -A -o wide`),
            );
            expect(read(`context-${context}.yaml`)).toContain("### kubectl get managedclusters -A -o yaml");
        }
        expect(read("machine.txt")).toContain("### df -h");
    });

    it.each([
        ["kind", "ocm-lab-kind-hub-control-plane", "--kubeconfig /etc/kubernetes/admin.conf get pods"],
        ["k3d", "k3d-ocm-lab-k3d-hub-server-0", "(kubectl get pods"],
    ])("views each %s node from inside it, and keeps the checkout's run records", (stack, node, call) => {
        const checkout = path.join(dir, "head");
        fs.mkdirSync(path.join(checkout, ".ocm-lab", stack, "runs"), { recursive: true });
        fs.writeFileSync(path.join(checkout, ".ocm-lab", stack, "runs", "run.json"), "{}");
        const run = runScript(
            "diagnostics.sh",
            ["lab", checkout, path.join(dir, "out")],
            env({ STACK: stack, FAKE_NODES: `${node} ocm-lab-mirror-quay` }),
        );
        expect(run.status).toBe(0);
        expect(read(`node-${node}.txt`)).toContain(call);
        expect(fs.readdirSync(path.join(dir, "out")).filter((f) => f.startsWith("node-"))).toEqual([
            `node-${node}.txt`,
            `node-${node}.yaml`,
        ]);
        expect(read(path.join("ocm-lab", stack, "runs", "run.json"))).toBe("{}");
    });
});
