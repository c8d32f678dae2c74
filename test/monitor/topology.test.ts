import { describe, expect, it } from "vitest";
import { deriveRoles, sameEndpoint } from "../../src/monitor/topology.js";
import { channel, down, probeMap, replica, servers, up } from "./fixtures.js";

describe("topology from the replication graph", () => {
  it("the writable root is the primary; chained servers are replicas", () => {
    const probes = probeMap(up("a"), replica("b", "a", "0-1-5"), replica("c", "b", "0-1-5"));
    const r = deriveRoles(servers, probes, null);
    expect(r.primary).toBe("a");
    expect(r.roles.get("b")).toEqual({ role: "replica", replicatesFrom: "a" });
    expect(r.roles.get("c")).toEqual({ role: "replica", replicatesFrom: "b" });
    expect(r.problems).toEqual([]);
  });

  it("the primary need not be the first configured server", () => {
    const probes = probeMap(replica("a", "c", ""), replica("b", "c", ""), up("c"));
    expect(deriveRoles(servers, probes, null).primary).toBe("c");
  });

  it("a read_only root is not a primary, and says so", () => {
    const probes = probeMap(up("a", { readOnly: true }), replica("b", "a", ""), replica("c", "a", ""));
    const r = deriveRoles(servers, probes, null);
    expect(r.primary).toBeNull();
    expect(r.problems).toEqual(["no writable primary: a replicate from nobody but are read_only"]);
  });

  it("a primary that stops answering stays the primary until replaced", () => {
    const before = deriveRoles(
      servers,
      probeMap(up("a"), replica("b", "a", ""), replica("c", "a", "")),
      null,
    );
    const r = deriveRoles(servers, probeMap(down("a"), replica("b", "a", ""), replica("c", "a", "")), before);
    expect(r.primary).toBe("a");
    expect(r.roles.get("a")?.role).toBe("primary");
  });

  it("a returning old primary does not displace the promoted one", () => {
    const promoted = deriveRoles(servers, probeMap(down("a"), up("b"), replica("c", "b", "")), null);
    expect(promoted.primary).toBe("b");
    const r = deriveRoles(servers, probeMap(up("a"), up("b"), replica("c", "b", "")), promoted);
    expect(r.primary).toBe("b");
    expect(r.roles.get("a")).toEqual({ role: "replica", replicatesFrom: null });
    expect(r.problems).toEqual(["a writable next to primary b: will be fenced (read_only=1)"]);
  });

  it("without memory, the root others replicate from wins; a tie is ambiguous", () => {
    expect(deriveRoles(servers, probeMap(up("a"), up("b"), replica("c", "b", "")), null).primary).toBe("b");
    const tie = deriveRoles(servers, probeMap(up("a"), up("b"), down("c")), null);
    expect(tie.primary).toBeNull();
    expect(tie.problems[0]).toMatch(/^ambiguous primary: a, b/);
  });

  it("reports writable replicas and replication errors", () => {
    const b = replica("b", "a", "", "", {
      readOnly: false,
      replication: [channel("a", { lastIoErrno: 1236, lastIoError: "could not find GTID" })],
    });
    const r = deriveRoles(servers, probeMap(up("a"), b, replica("c", "a", "")), null);
    expect(r.problems).toEqual([
      "replica b is writable (read_only=0)",
      "b: replication IO error 1236: could not find GTID",
    ]);
  });

  it("matches loopback aliases but not other hosts or ports", () => {
    const a = servers[0]!;
    expect(sameEndpoint(a, "localhost", 3301)).toBe(true);
    expect(sameEndpoint(a, "::1", 3301)).toBe(true);
    expect(sameEndpoint(a, "10.0.0.1", 3301)).toBe(false);
    expect(sameEndpoint(a, "127.0.0.1", 3302)).toBe(false);
  });
});
