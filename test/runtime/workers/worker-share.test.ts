import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ProxyOptions } from "../../../src/runtime/proxy-options.js";
import { workerOfSession, workerProxyOptions } from "../../../src/runtime/workers/worker-share.js";

const base: ProxyOptions = {
  listen: { host: "127.0.0.1", port: 3306 },
  servers: [{ name: "db1", host: "127.0.0.1", port: 3307, role: "primary" }],
  users: [{ name: "app", password: "x" }],
  pool: { minIdle: 3, maxIdle: 10, maxPerServer: 100, acquireTimeoutMs: 1234 },
};

describe("workerProxyOptions", () => {
  it("gives each worker its share of the pool limits, never more than the total in all", () => {
    for (const workers of [1, 2, 3, 7]) {
      const o = workerProxyOptions(base, { slot: 1, workers });
      expect((o.pool?.maxPerServer ?? 0) * workers).toBeLessThanOrEqual(100);
      expect(o.pool?.maxPerServer).toBe(Math.floor(100 / workers));
      expect(o.pool?.minIdle).toBe(Math.ceil(3 / workers));
      expect(o.pool?.acquireTimeoutMs).toBe(1234); // what is not a size stays as configured
    }
    expect(workerProxyOptions(base, { slot: 2, workers: 2 }).pool).toMatchObject({
      maxPerServer: 50,
      maxIdle: 5,
      minIdle: 2,
    });
  });

  it("keeps at least one connection per server when the config allows fewer than the workers", () => {
    const tiny = { ...base, pool: { maxPerServer: 2, maxIdle: 1, minIdle: 0 } };
    expect(workerProxyOptions(tiny, { slot: 3, workers: 4 }).pool?.maxPerServer).toBe(1);
  });

  it("interleaves session ids so that every id names its worker", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(1000), fc.nat(10_000), (workers, s, k) => {
        const slot = (s % workers) + 1;
        const ids = workerProxyOptions(base, { slot, workers }).sessionIds;
        expect(ids).toEqual({ first: slot, step: workers });
        const id = slot + k * workers; // the k-th session this worker opens
        expect(workerOfSession(id, workers)).toBe(slot);
      }),
    );
  });
});
