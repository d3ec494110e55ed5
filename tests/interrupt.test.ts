/**
 * Ctrl-C at the front door (cli/interrupt.ts), with the signals emitted in this process: the first
 * press cancels and says what was under way, the same press delivered twice counts once, a second
 * press stops at once, and a press the CLI did not get itself is passed on. The engine tier
 * (tests/engine/interrupted.test.ts) presses Ctrl-C at a real front door; this proves the counting
 * and the forwarding, whose timing the engine tier cannot pin.
 */
import { watchInterrupts } from "../cli/interrupt";

const samePressMs = 80;
const forwardAfterMs = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function watch(underWay: string[] = ["spoke1-join", "spoke2-join"], started: string[] = [...underWay]) {
    const said: string[] = [];
    const interrupts = watchInterrupts({
        say: (line) => said.push(line),
        underWay: () => underWay,
        started: () => started,
        beforeForcedExit: () => said.push("<summary>"),
        samePressMs,
        forwardAfterMs,
    });
    return { interrupts, said, started };
}

let exit: jest.SpyInstance;
let disposeLast: (() => void) | undefined;
beforeEach(() => {
    exit = jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
});
afterEach(() => {
    disposeLast?.();
    exit.mockRestore();
});

describe("Ctrl-C at the front door", () => {
    it("cancels at the first press and names the steps under way; the same press delivered twice counts once", async () => {
        const { interrupts, said } = watch();
        disposeLast = interrupts.dispose;
        process.emit("SIGINT");
        process.emit("SIGINT"); // npm forwards the terminal's press to its child besides
        expect(interrupts.presses()).toBe(1);
        expect(said).toHaveLength(1);
        expect(said[0]).toMatch(/^interrupted: .* cancels the 2 under way \(spoke1-join, spoke2-join\)/);
        expect(said[0]).toContain("Press Ctrl-C again to stop at once");
        expect(interrupts.underWayWhenStopped()).toEqual(["spoke1-join", "spoke2-join"]);
    });

    it("names a step the engine reported starting only after the press: its events lag the engine", async () => {
        // hub-cluster started and ended before the press; spoke1-join was under way at it
        const { interrupts, started } = watch(["spoke1-join"], ["hub-cluster", "spoke1-join"]);
        disposeLast = interrupts.dispose;
        expect(interrupts.underWayWhenStopped()).toEqual([]); // no press yet, nothing cut short
        process.emit("SIGINT");
        // the engine's report of argocd-release, started before the CLI had the signal, arrives now
        started.push("argocd-release");
        expect(interrupts.underWayWhenStopped()).toEqual(["argocd-release", "spoke1-join"]);
    });

    it("passes the first press on to the CLI only when the CLI did not say it got one", async () => {
        const unheard = watch();
        process.emit("SIGINT");
        await sleep(forwardAfterMs + 100);
        expect(unheard.interrupts.signal.aborted).toBe(true);
        unheard.interrupts.dispose();

        const heard = watch();
        disposeLast = heard.interrupts.dispose;
        process.emit("SIGINT");
        heard.interrupts.seen("^C received; cancelling. If you would like to terminate immediately, press ^C again.");
        await sleep(forwardAfterMs + 100);
        expect(heard.interrupts.signal.aborted).toBe(false);
    });

    it("stops at once at a second press: exits 130 unless the CLI is terminating itself", async () => {
        const unheard = watch();
        process.emit("SIGINT");
        await sleep(samePressMs + 40);
        process.emit("SIGINT");
        expect(unheard.interrupts.presses()).toBe(2);
        expect(unheard.said[1]).toMatch(/^stopping at once/);
        expect(exit).not.toHaveBeenCalled(); // the CLI has its time to say so first
        await sleep(forwardAfterMs + 100);
        expect(exit).toHaveBeenCalledWith(130);
        expect(unheard.said[unheard.said.length - 1]).toBe("<summary>"); // what was under way, and next:
        unheard.interrupts.dispose();

        exit.mockClear();
        const heard = watch();
        disposeLast = heard.interrupts.dispose;
        process.emit("SIGINT");
        heard.interrupts.seen("^C received; cancelling.");
        await sleep(samePressMs + 40);
        process.emit("SIGINT");
        heard.interrupts.seen("^C received; terminating");
        await sleep(forwardAfterMs + 100);
        expect(exit).not.toHaveBeenCalled();
        expect(heard.said).not.toContain("<summary>");
    });

    it("hands Ctrl-C back to Node once the operation is over, and forwards nothing then", async () => {
        const listening = process.listenerCount("SIGINT");
        const listeningTerm = process.listenerCount("SIGTERM");
        const { interrupts, said } = watch([]);
        expect(process.listenerCount("SIGINT")).toBe(listening + 1);
        interrupts.dispose();
        expect(process.listenerCount("SIGINT")).toBe(listening);
        expect(process.listenerCount("SIGTERM")).toBe(listeningTerm);
        process.emit("SIGINT");
        await sleep(forwardAfterMs + 100);
        expect(interrupts.presses()).toBe(0);
        expect(said).toEqual([]);
        expect(interrupts.signal.aborted).toBe(false);
    });
});
