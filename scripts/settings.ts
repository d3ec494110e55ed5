/**
 * Settings that bound how long a step waits but never change what it does. They reach the steps
 * through a small file that `pulumi up` writes, not through the steps' inputs: a new
 * ocm-lab:timeoutSeconds then re-runs no step, and a step that does run again (or is deleted) waits
 * as long as the stack says now. lib.sh reads the file; a script run by hand takes TIMEOUT_SECONDS
 * from its environment instead.
 */
import * as fs from "fs";
import * as path from "path";

export interface StepSettings {
    timeoutSeconds: number;
}

/**
 * The settings file of a stack, relative to the project folder (where the program and the steps
 * both run), so the path a step stores does not change when the project folder moves.
 * OCM_LAB_LOCAL_DIR moves it (the tests give each lab its own).
 */
export function stepSettingsPath(stack: string): string {
    return path.join(process.env.OCM_LAB_LOCAL_DIR ?? ".ocm-lab", stack, "step-settings");
}

/**
 * Writes the stack's settings file; `pulumi up` calls it before any step can start. It is written in
 * the project folder, where the steps read it, whatever folder the program itself was started in.
 */
export function writeStepSettings(stack: string, settings: StepSettings): void {
    const file = path.resolve(__dirname, "..", stepSettingsPath(stack));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `TIMEOUT_SECONDS=${settings.timeoutSeconds}\n`);
}

/**
 * The private folder of one cluster's credentials, which the lab's kubernetes providers read them from
 * (runtimes/kubeconfig.ts withCredentialFiles), beside the stack's settings file and, like it,
 * relative to the project folder: the engine starts every provider there (pulumi sdk/v3 v3.274.1
 * go/common/resource/plugin/plugin.go:599, `cmd.Dir = pwd`), so the paths a provider keeps in its
 * state still hold when the folder moves. A cluster's delete step removes it; so does `npm run
 * destroy`, for the whole stack.
 */
export function credentialsDir(stack: string, clusterName?: string): string {
    const dir = path.join(path.dirname(stepSettingsPath(stack)), "credentials");
    return clusterName === undefined ? dir : path.join(dir, clusterName);
}

/** A path below the project folder as this process reaches it, whatever folder it was started in. */
export const inProject = (relative: string) => path.resolve(__dirname, "..", relative);
