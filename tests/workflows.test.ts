/** The project's GitHub workflows pass actionlint (built from its pinned Go module), which can fail. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lintWorkflows } from "../tools/realClis";

jest.setTimeout(300_000); // a cold machine builds actionlint first

describe("workflow lint", () => {
    it("passes on the project's workflows", () => {
        expect(() => lintWorkflows()).not.toThrow();
    });

    it("fails on a workflow that uses an undefined matrix key", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-actionlint-"));
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
