/**
 * The committed figures pull requests are reviewed by must match the program: a change to the
 * graph shows up as a diff in docs/, or this fails with the command that refreshes them.
 */
import * as fs from "fs";
import { benchFile, renderBench } from "../figures/bench";
import { graphFile, renderGraphDoc, stacks } from "../figures/graph";
import { latencies } from "../figures/latencies";
import { stepKind, summarise } from "../figures/model";
import { runProgram } from "./harness/program";

describe("committed figures", () => {
    it.each(stacks)("docs/graph-%s.md is current (npm run graph refreshes it)", async (stack) => {
        expect(fs.readFileSync(graphFile(stack), "utf8")).toBe(await renderGraphDoc(stack));
    });

    it("docs/bench.md is current (npm run bench refreshes it)", async () => {
        expect(fs.readFileSync(benchFile, "utf8")).toBe(await renderBench());
    });
});

describe("the graph figure", () => {
    it("shows the handshake's edges and leaves out edges implied by longer paths", async () => {
        const doc = await renderGraphDoc("kind");
        expect(doc).toContain("hub_init_Command --> spoke1_join_Command");
        expect(doc).toContain("spoke1_join_Command --> spoke1_accept_Command");
        expect(doc).toContain("spoke1_cluster_Command --> spoke1_kubeconfig_Command");
        // join waits for its cluster only through the kubeconfig it reads: no direct arrow
        expect(doc).not.toContain("spoke1_cluster_Command --> spoke1_join_Command");
        expect(doc).not.toMatch(/provider/);
    });
});

describe("the bench model", () => {
    const summary = async (stack: string, count: number) => {
        const spokes = Array.from({ length: count }, (_, i) => `spoke${i + 1}`);
        const run = await runProgram({ stack, config: { spokes } });
        return summarise(run, (r) => latencies[stepKind(r)].seconds);
    };

    it.each(stacks)(
        "%s: 10 spokes take as many sequential steps and as long as 2; a script grows with them",
        async (stack) => {
            const two = await summary(stack, 2);
            const ten = await summary(stack, 10);
            expect(ten.steps).toBeGreaterThan(two.steps);
            expect(ten.criticalSteps).toBe(two.criticalSteps);
            expect(ten.parallelSeconds).toBe(two.parallelSeconds);
            expect(ten.sequentialSeconds).toBeGreaterThan((3 * two.sequentialSeconds) / 2);
            expect(two.parallelSeconds).toBeLessThan(two.sequentialSeconds);
        },
    );

    it("has a stated latency and source for every kind of step the program makes", async () => {
        const run = await runProgram({ stack: "k3d" });
        for (const r of run.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            expect(latencies[stepKind(r)]).toEqual({
                seconds: expect.any(Number),
                source: expect.stringMatching(/\S/),
            });
        }
    });
});
