/**
 * The engine tier, gRPC registration: a spoke that registers through the hub's gRPC server instead of
 * its API server, switched on and off on a running lab, removed, and destroyed, on the real Pulumi
 * engine through the front door. Like dayTwo.test.ts, without Argo CD, the smoke work or the image
 * cache (see lifecycle.test.ts why). What the hub and the klusterlets do is the fakes' model of
 * clusteradm v1.3.1 and the operator (tests/fakes).
 */
import { EngineLab, expectSucceeded, requireEngineTier, withoutApiObjects } from "./engineLab";
import { expectRegistered, managedCluster } from "./labWorld";
import { grpcNodePort } from "../../runtimes/runtime";

requireEngineTier();

let lab: EngineLab;
afterEach(() => lab?.dispose());

describe.each(["kind", "k3d"] as const)("%s stack, gRPC registration, on the real engine", (stack) => {
    const node = stack === "kind" ? "hub-control-plane" : "k3d-hub-server-0";
    const address = `${node}:${grpcNodePort}`;
    const agent = (spoke: string) => `${lab.fake.cluster(spoke)}/agent`;
    const service = () => `${lab.fake.cluster("hub")}/objects/service/open-cluster-management-hub/ocm-lab-grpc-server`;
    const grpcServer = () =>
        `${lab.fake.cluster("hub")}/objects/deployment/open-cluster-management-hub/cluster-manager-grpc-server`;
    /** The hub serves gRPC (its driver on, the lab's NodePort in front of it), or serves nothing of it. */
    const expectHubServesGrpc = (serves: boolean) => {
        expect(lab.fake.exists(grpcServer())).toBe(serves);
        expect(lab.fake.exists(service())).toBe(serves);
        if (serves) {
            expect(lab.fake.read(`${service()}/node-port`).trim()).toBe(String(grpcNodePort));
        }
    };
    const expectDriver = (spoke: string, driver: "csr" | "grpc") => {
        expect(`${spoke}: ${lab.fake.read(`${agent(spoke)}/registration`).trim()}`).toBe(`${spoke}: ${driver}`);
        if (driver === "grpc") {
            expect(lab.fake.read(`${agent(spoke)}/grpc-config`)).toContain(`url: ${address}`);
        }
    };
    const steps = (spoke: string, ...extra: string[]) =>
        [
            `${spoke}-cluster`,
            `${spoke}-kubeconfig`,
            `${spoke}-join`,
            `${spoke}-accept`,
            `${spoke}-available`,
            ...extra,
        ].sort();

    it("registers a spoke through the hub's gRPC server; switching it to csr and back re-registers that spoke alone; removing it cleans the hub; destroy leaves nothing", async () => {
        lab = new EngineLab();
        lab.configure(stack, { ...withoutApiObjects, registrations: { spoke2: "grpc" } });
        const up = await lab.frontDoorSteps("up", stack);
        expectSucceeded(up);
        expectRegistered(lab, ["spoke1", "spoke2"]);
        expectDriver("spoke1", "csr");
        expectDriver("spoke2", "grpc");
        expectHubServesGrpc(true);
        // spoke2 proved from a pod on it that the gRPC server answers, and the probe is gone
        expect(up.ran).toContain("spoke2-hub-reachable");
        expect(up.ran).not.toContain("spoke1-hub-reachable");
        expect(
            lab.fake
                .calls()
                .some((c) => / run ocm-lab-hub-probe .* nc -z -w 5 /.test(c) && c.endsWith(` ${node} ${grpcNodePort}`)),
        ).toBe(true);
        expect(lab.fake.exists(`${lab.fake.cluster("spoke2")}/objects/pod/default/ocm-lab-hub-probe`)).toBe(false);
        // the CA went to clusteradm as a file: no PEM on any command line
        expect(lab.fake.calls().filter((c) => c.includes("BEGIN CERTIFICATE"))).toEqual([]);
        // status shows each spoke's driver
        const status = await lab.frontDoor("status", stack);
        expectSucceeded(status);
        expect(status.output).toMatch(/\nCLUSTER +KLUSTERLET +REGISTRATION +JOINED +AVAILABLE /);
        expect(status.output).toMatch(/\nspoke1 +default +csr +True +True /);
        expect(status.output).toMatch(/\nspoke2 +default +grpc +True +True /);

        // back to csr: spoke2 is made anew and registers with a CSR; the hub stops serving gRPC
        lab.configure(stack, { registrations: {} });
        const toCsr = await lab.frontDoorSteps("up", stack);
        expectSucceeded(toCsr);
        expect(toCsr.ran.filter((s) => s.startsWith("spoke1-"))).toEqual([]);
        // (its cluster step runs twice: the old cluster deleted, the new one made; the probe goes from state)
        expect(toCsr.ran.filter((s) => s.startsWith("spoke2-")).sort()).toEqual(steps("spoke2", "spoke2-cluster"));
        expect(lab.stateNames(stack)).not.toContain("spoke2-hub-reachable");
        expect(toCsr.ran).toContain("hub-init");
        expectRegistered(lab, ["spoke1", "spoke2"]);
        expectDriver("spoke2", "csr");
        expectHubServesGrpc(false);

        // and grpc again: spoke2 alone, and the hub serves gRPC again
        lab.configure(stack, { registrations: { spoke2: "grpc" } });
        const toGrpc = await lab.frontDoorSteps("up", stack);
        expectSucceeded(toGrpc);
        expect(toGrpc.ran.filter((s) => s.startsWith("spoke1-"))).toEqual([]);
        expect(toGrpc.ran.filter((s) => s.startsWith("spoke2-")).sort()).toEqual(
            steps("spoke2", "spoke2-cluster", "spoke2-hub-reachable"),
        );
        expectRegistered(lab, ["spoke1", "spoke2"]);
        expectDriver("spoke2", "grpc");
        expectHubServesGrpc(true);

        // the gRPC spoke removed: its ManagedCluster leaves the hub, which serves gRPC no more
        lab.configure(stack, { spokes: ["spoke1"], registrations: {} });
        const removed = await lab.frontDoorSteps("up", stack);
        expectSucceeded(removed);
        expect(removed.ran.filter((s) => s.startsWith("spoke1-"))).toEqual([]);
        expect(lab.fake.exists(managedCluster(lab, "spoke2"))).toBe(false);
        expectHubServesGrpc(false);
        expect(lab.fake.clusters().sort()).toEqual([`${stack} hub`, `${stack} spoke1`]);
        expectRegistered(lab, ["spoke1"]);

        expectSucceeded(await lab.frontDoorSteps("destroy", stack));
        expect(lab.fake.clusters()).toEqual([]);
        expect(lab.stateNames(stack)).toEqual([]);
    });
});
