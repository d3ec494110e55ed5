/** The kubeconfig the lab's kubernetes providers get: its credentials in private files (runtimes/kubeconfig.ts). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { withCredentialFiles } from "../runtimes/kubeconfig";
import { fakeKubeconfig } from "./harness/program";

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocm-lab-credentials-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a provider's kubeconfig", () => {
    it("names files for the client certificate, key and token, and keeps the server and CA", () => {
        const inline = fakeKubeconfig("hub") + "\n    token: abc.def\n";
        const files = path.join(dir, "hub");
        const moved = withCredentialFiles(inline, files, "hub");
        expect(moved).not.toMatch(/client-(certificate|key)-data|token: abc/);
        expect(moved).toContain(`client-certificate: ${files}/client.crt`);
        expect(moved).toContain(`client-key: ${files}/client.key`);
        expect(moved).toContain(`tokenFile: ${files}/token`);
        expect(fs.readFileSync(path.join(files, "client.key"), "utf8")).toBe("KEY-of-hub");
        expect(fs.readFileSync(path.join(files, "client.crt"), "utf8")).toBe("CERT-of-hub");
        expect(fs.readFileSync(path.join(files, "token"), "utf8")).toBe("abc.def");
        for (const name of ["client.key", "client.crt", "token"]) {
            expect(fs.statSync(path.join(files, name)).mode & 0o777).toBe(0o600);
        }
        expect(fs.statSync(files).mode & 0o777).toBe(0o700);
        // the server and the CA, which are no secrets, stay
        const keep = (text: string) => text.split("\n").filter((l) => /server:|certificate-authority-data:/.test(l));
        expect(keep(moved)).toEqual(keep(inline));
        // again, unchanged: the same text, the files as they were
        expect(withCredentialFiles(inline, files, "hub")).toBe(moved);
    });

    it("names the files relative to the project when given so, and reads quoted values", () => {
        const quoted = fakeKubeconfig("spoke1")
            .replace(/client-key-data: (\S+)/, 'client-key-data: "$1"')
            .replace(/client-certificate-data: (\S+)/, "client-certificate-data: '$1'   # a comment");
        const moved = withCredentialFiles(quoted, ".ocm-lab/kind/credentials/spoke1", "spoke1", dir);
        expect(moved).toContain("client-key: .ocm-lab/kind/credentials/spoke1/client.key");
        expect(moved).toContain("client-certificate: .ocm-lab/kind/credentials/spoke1/client.crt");
        const files = path.join(dir, ".ocm-lab", "kind", "credentials", "spoke1");
        expect(fs.readFileSync(path.join(files, "client.key"), "utf8")).toBe("KEY-of-spoke1");
        expect(fs.readFileSync(path.join(files, "client.crt"), "utf8")).toBe("CERT-of-spoke1");
    });

    it("refuses a value in another YAML form, saying which", () => {
        const folded = fakeKubeconfig("hub").replace(/client-key-data: (\S+)/, "client-key-data: >-\n      $1");
        expect(() => withCredentialFiles(folded, path.join(dir, "z"), "hub")).toThrow(
            /the kubeconfig of cluster hub has a client-key-data that is not one plain or quoted value; next: /,
        );
    });

    it("leaves a kubeconfig without inline credentials as it is, and refuses two users' keys", () => {
        const execUser = "users:\n- name: u\n  user:\n    exec:\n      command: aws\n";
        expect(withCredentialFiles(execUser, path.join(dir, "x"), "x")).toBe(execUser);
        const two = `${fakeKubeconfig("a")}\n${fakeKubeconfig("b")}`;
        expect(() => withCredentialFiles(two, path.join(dir, "y"), "y")).toThrow(
            /the kubeconfig of cluster y has 2 client-certificate-data fields, one expected; next: /,
        );
    });
});
