/**
 * Ctrl-C while the engine runs (`npm run up|preview|destroy`): the first one cancels gracefully, a
 * second one stops at once, as the Pulumi CLI itself does (pulumi v3.274.1
 * pkg/backend/cancellation_scope.go:52-121: the first signal cancels, the next terminates). On the
 * first, the engine starts no new step and asks the providers to cancel those under way; on the
 * second it kills the providers, and the state keeps a pending operation for each step cut short
 * (the next `npm run up` clears those: lab.ts).
 *
 * At a terminal, Ctrl-C reaches the whole foreground process group: npm, this process and the CLI,
 * which the Automation API starts in it. npm forwards the signal to its child besides
 * (@npmcli/run-script lib/signal-manager.js), so this process may see one press twice: signals
 * within `samePressMs` count once. A signal sent to this process alone (`kill -INT`, a CI runner) has
 * not reached the CLI: when the CLI does not say it got it within `forwardAfterMs`, this process passes
 * it on (the first through the Automation API's abort signal; the second by exiting, when the
 * Automation API's child cleanup sends the CLI SIGTERM, its second signal).
 */

export interface InterruptOptions {
    /** Writes one line to the user. */
    say: (line: string) => void;
    /** The steps under way now, by name. */
    underWay: () => string[];
    /**
     * Every step the engine has reported starting so far, by name, in the order reported. The engine
     * goes on to a step as soon as it has put the step's event in the CLI's event stream, which
     * reaches this process later (a gRPC stream for the CLIs the lab runs: @pulumi/pulumi 3.265.0
     * automation/stack.js setupEventLog; an event log polled every 200 ms for CLIs up to 3.205.0), so
     * a step started just before the press may be reported after it.
     */
    started?: () => string[];
    /**
     * Called just before this process exits on its own at a second press the CLI did not get: what was
     * under way and the next command, since the front door's own summary will not be reached.
     */
    beforeForcedExit?: () => void;
    samePressMs?: number;
    forwardAfterMs?: number;
}

export interface Interrupts {
    /** Handed to the Automation API: aborting it sends the CLI SIGINT. */
    readonly signal: AbortSignal;
    /** How many presses so far. */
    presses(): number;
    /**
     * What the interruption cut into: the steps under way at the first press, and those the engine
     * reported starting after it (started before the press but reported late, or started before the
     * CLI got the signal; once it has, the engine starts no new step).
     */
    underWayWhenStopped(): string[];
    /** Each chunk the CLI prints: how this process learns that the CLI got a signal itself. */
    seen(text: string): void;
    /** The operation is over: a later press is Node's own again (it ends the process). */
    dispose(): void;
}

export function watchInterrupts(options: InterruptOptions): Interrupts {
    const samePressMs = options.samePressMs ?? 300;
    const forwardAfterMs = options.forwardAfterMs ?? 2000;
    const abort = new AbortController();
    let presses = 0;
    let lastPress = 0;
    let firstUnderWay: string[] = [];
    let startedBeforeFirst = 0;
    let cliCancelling = false;
    let cliTerminating = false;
    const timers: NodeJS.Timeout[] = [];

    let over = false;
    const onSignal = () => {
        const now = Date.now();
        if (over) {
            return;
        }
        if (presses > 0 && now - lastPress < samePressMs) {
            return; // the same press, delivered twice
        }
        lastPress = now;
        presses += 1;
        if (presses === 1) {
            firstUnderWay = options.underWay();
            startedBeforeFirst = options.started?.().length ?? 0;
            const steps = firstUnderWay.length > 0 ? ` (${firstUnderWay.join(", ")})` : "";
            options.say(
                `interrupted: the engine starts no new step and cancels the ${firstUnderWay.length} under way${steps}; ` +
                    "each ends when what it started ends. Press Ctrl-C again to stop at once.",
            );
            timers.push(
                setTimeout(() => {
                    if (!cliCancelling) {
                        abort.abort();
                    }
                }, forwardAfterMs),
            );
        } else if (presses === 2) {
            options.say("stopping at once: what the steps under way had started is stopped where it stands");
            timers.push(
                setTimeout(() => {
                    if (!cliTerminating) {
                        options.beforeForcedExit?.();
                        process.exit(130);
                    }
                }, forwardAfterMs),
            );
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    return {
        signal: abort.signal,
        presses: () => presses,
        underWayWhenStopped: () =>
            presses === 0
                ? []
                : [...new Set([...firstUnderWay, ...(options.started?.().slice(startedBeforeFirst) ?? [])])].sort(),
        seen: (text: string) => {
            cliCancelling ||= /received; cancelling/.test(text);
            cliTerminating ||= /received; terminating/.test(text);
        },
        dispose: () => {
            over = true;
            timers.forEach(clearTimeout);
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
        },
    };
}
