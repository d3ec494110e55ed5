import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { stepCommand, stepDigest, stepInterpreter } from "./index";
import { stepSettingsPath } from "./settings";

export interface StepArgs {
    /** Step script below scripts/, run on create (and again when its inputs or its digest change). */
    script: string;
    /** Step script run on delete, with the environment stored in state. */
    deleteScript?: string;
    environment: Record<string, pulumi.Input<string>>;
    /** stdout is the step's value and holds a secret (a kubeconfig): kept secret and out of logs. */
    secretStdout?: boolean;
    /** A change to any of these replaces the step instead of re-running it. */
    triggers?: pulumi.Input<unknown>[];
}

/**
 * One shell step of the lab as a `command.local.Command`. Its inputs are what the step does: the
 * script's path and digest (scripts/index.ts) and the values it acts on. How long it may wait is not
 * an input (scripts/settings.ts), so neither a reworded script nor a new bound runs it again.
 */
export function step(name: string, args: StepArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            create: stepCommand(args.script),
            delete: args.deleteScript ? stepCommand(args.deleteScript) : undefined,
            interpreter: stepInterpreter,
            environment: {
                ...args.environment,
                OCM_LAB_SETTINGS: stepSettingsPath(pulumi.getStack()),
                OCM_LAB_STEP: name,
                STEP_DIGEST: stepDigest(args.script),
            },
            triggers: args.triggers,
            logging: args.secretStdout ? "stderr" : "stdoutAndStderr",
            // The previous run's stdout would reach the next run's environment: not for secrets.
            addPreviousOutputInEnv: false,
        },
        args.secretStdout ? { ...opts, additionalSecretOutputs: ["stdout"] } : opts,
    );
}
