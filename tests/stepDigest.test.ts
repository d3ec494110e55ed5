/**
 * What decides whether a step runs again (scripts/index.ts): the digest of what its script does.
 * Each edit below is made to a real step script, as a pull request would make it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { effectText, stepDigest } from "../scripts";
import { stepSettingsPath, writeStepSettings } from "../scripts/settings";
import { projectRoot } from "./harness/program";

const read = (file: string) => fs.readFileSync(path.join(projectRoot, "scripts", file), "utf8");
const join = read("join.sh");

/** Replaces exactly one occurrence, so an edit that misses its target fails the test. */
function edit(text: string, from: string, to: string): string {
    expect(text.split(from)).toHaveLength(2);
    return text.replace(from, to);
}

/**
 * `stepDigest(step)` as a checkout computes it whose lib.sh has `libEdit` made: scripts/ copied to a
 * temporary folder and its digest code loaded from there, where it reads its scripts.
 */
function digestInCopy(step: string, libEdit?: [string, string]): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-digest-"));
    try {
        fs.cpSync(path.join(projectRoot, "scripts"), copy, { recursive: true });
        if (libEdit) {
            fs.writeFileSync(path.join(copy, "lib.sh"), edit(read("lib.sh"), ...libEdit));
        }
        let digest = "";
        jest.isolateModules(() => {
            digest = require(path.join(copy, "index.ts")).stepDigest(step);
        });
        return digest;
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
}

describe("a step's digest", () => {
    it.each([
        ["a comment reworded", "# Mints a token and joins at once.", "# Token, then join, with no gap."],
        ["a comment added", "set_qos_flags\n", "# QoS flags for join, as for init\nset_qos_flags\n"],
        [
            "a log line reworded",
            'log "klusterlet registered against $hub_server (${KLUSTERLET_MODE:-default} mode, $registration registration${GRPC_SERVER:+ via $GRPC_SERVER}, running on $klusterlet_context)"',
            'log "the klusterlet on $klusterlet_context now talks to $hub_server"',
        ],
        [
            "a failure message and its next command reworded, over continuation lines",
            'fail "clusteradm could not mint a join token on hub $HUB_NAME" \\\n            "clusteradm get token --context $HUB_CONTEXT >/dev/null && pulumi up"',
            'fail "no token from $HUB_NAME" \\\n            "clusteradm get token --context $HUB_CONTEXT -o json"',
        ],
        ["indentation and blank lines", "set_qos_flags\n", "\n    set_qos_flags\n\n"],
    ])("stays the same when %s", (_, from, to) => {
        expect(effectText(edit(join, from, to))).toBe(effectText(join));
    });

    it.each([
        ["a flag removed", "endpoint_flags=(--force-internal-endpoint-lookup)", "endpoint_flags=()"],
        ["a check weakened", 'if [ "$hub_server" != "$HUB_API_SERVER_INTERNAL" ]; then', "if false; then"],
        ["a blank line that ends a continued command early", "    --hub-token", "\n    --hub-token"],
        ["a command after a failure message changed", 'hub_token="${BASH_REMATCH[1]}"', 'hub_token="x"'],
    ])("changes when %s", (_, from, to) => {
        expect(effectText(edit(join, from, to))).not.toBe(effectText(join));
    });

    it("keeps a heredoc's body as written, comment-like lines included", () => {
        const script = "cat >f <<EOF\n# not a comment: file content\nEOF\necho done\n";
        expect(effectText(script)).toContain("# not a comment: file content");
        expect(effectText(script)).toContain("echo done"); // the heredoc ended
        expect(effectText(script.replace("file content", "other content"))).not.toBe(effectText(script));
    });

    it("differs between steps", () => {
        const digests = ["join.sh", "accept.sh", "kind/create-cluster.sh", "k3d/create-cluster.sh"].map(stepDigest);
        expect(new Set(digests).size).toBe(digests.length);
        expect(digests.every((d) => /^[0-9a-f]{16}$/.test(d))).toBe(true);
    });

    it.each(["join.sh", "kind/create-cluster.sh", "argocd/wait-guestbook.sh", "existing/connect.sh"])(
        "of %s covers lib.sh, which every step runs: a change to what lib.sh does changes it, a reworded comment does not",
        (step) => {
            expect(digestInCopy(step)).toBe(stepDigest(step)); // the copy digests as the project does
            expect(digestInCopy(step, ["umask 077", "umask 022"])).not.toBe(stepDigest(step));
            expect(digestInCopy(step, ["# Shared by every step script", "# Every step script shares this"])).toBe(
                stepDigest(step),
            );
        },
    );
});

describe("the step settings file", () => {
    it("is written in the project folder, where the steps read it, whatever folder the program started in", () => {
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-cwd-"));
        const local = fs.mkdtempSync(path.join(projectRoot, ".ocm-lab-test-"));
        const relativeLocal = path.relative(projectRoot, local);
        const cwd = process.cwd();
        const saved = process.env.OCM_LAB_LOCAL_DIR;
        try {
            process.env.OCM_LAB_LOCAL_DIR = relativeLocal; // relative, as the stored step input is
            process.chdir(elsewhere);
            writeStepSettings("kind", { timeoutSeconds: 42 });
            // the path a step stores is relative, and the steps run in the project folder
            const stored = stepSettingsPath("kind");
            expect(path.isAbsolute(stored)).toBe(false);
            expect(fs.readFileSync(path.join(projectRoot, stored), "utf8")).toBe("TIMEOUT_SECONDS=42\n");
            expect(fs.existsSync(path.join(elsewhere, stored))).toBe(false);
        } finally {
            process.chdir(cwd);
            process.env.OCM_LAB_LOCAL_DIR = saved;
            if (saved === undefined) {
                delete process.env.OCM_LAB_LOCAL_DIR;
            }
            fs.rmSync(elsewhere, { recursive: true, force: true });
            fs.rmSync(local, { recursive: true, force: true });
        }
    });
});
