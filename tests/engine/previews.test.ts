/**
 * docs/preview-kind.txt and docs/preview-k3d.txt are what the real engine previews for a new lab of
 * each stack as committed: a pull request that changes the program shows what it changes there.
 */
import * as fs from "fs";
import { requireEngineTier } from "./engineLab";
import { previewFile, previewStacks, producedBy, renderPreview } from "./previews";

requireEngineTier();

describe.each(previewStacks)("docs/preview-%s.txt", (stack) => {
    it("is the real engine's preview of a new lab of this stack (npm run graph refreshes it)", async () => {
        const committed = fs.readFileSync(previewFile(stack), "utf8");
        expect(committed.split("\n")[0]).toBe(producedBy());
        expect(committed).toMatch(new RegExp(`^Previewing update \\(${stack}\\):$`, "m"));
        expect(committed).toMatch(/^Resources:\n +\+ \d+ to create$/m);
        // a new step's ID is known at preview (the command provider makes it then), masked here
        expect(committed).toMatch(/^ +SPOKE_CLUSTER_ID: "spoke1-cluster<id>"$/m);
        expect(await renderPreview(stack)).toBe(committed);
    });
});
