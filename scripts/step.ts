import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { stepInterpreter, stepScript } from "./index";

export interface StepArgs {
    /** Step script below scripts/, run on create (and again when its inputs change). */
    script: string;
    /** Step script run on delete, with the environment stored in state. */
    deleteScript?: string;
    environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** stdout is the step's value and holds a secret (a kubeconfig): kept secret and out of logs. */
    secretStdout?: boolean;
    /** A change to any of these replaces the step instead of re-running it. */
    triggers?: pulumi.Input<unknown>[];
}

/** One shell step of the lab as a `command.local.Command`. */
export function step(name: string, args: StepArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            create: stepScript(args.script),
            delete: args.deleteScript ? stepScript(args.deleteScript) : undefined,
            interpreter: stepInterpreter,
            environment: args.environment,
            triggers: args.triggers,
            logging: args.secretStdout ? "stderr" : "stdoutAndStderr",
            // The previous run's stdout would reach the next run's environment: not for secrets.
            addPreviousOutputInEnv: false,
        },
        args.secretStdout ? { ...opts, additionalSecretOutputs: ["stdout"] } : opts,
    );
}
