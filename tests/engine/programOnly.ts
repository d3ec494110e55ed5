/**
 * Runs one engine operation on the program with none of the front door's own checks (config, tools,
 * preflight), as `pulumi preview|up -s <stack>` does: what the engine and the program say alone.
 * Run in an EngineLab's project copy: `node cli/run.js tests/engine/programOnly.ts preview kind`.
 */
import { pinnedPulumiCli, runOperation, selectLabStack } from "../../cli/labStack";

export async function main([command, stackName]: string[]): Promise<void> {
    const stack = await selectLabStack(stackName, await pinnedPulumiCli(), process.env);
    try {
        await runOperation(stack, command as "preview" | "up" | "destroy", {
            parallel: 8,
            onOutput: (text) => process.stdout.write(text),
            onEvent: () => undefined,
        });
    } catch {
        process.exit(1); // the engine printed why
    }
}
