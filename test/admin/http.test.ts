import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpEndpoints, type Readiness, startHttpEndpoints } from "../../src/admin/http.js";
import { SluiceMetrics } from "../../src/admin/sluice-metrics.js";
import { parsePrometheusText } from "../support/prometheus-text-parser.js";

describe("HTTP endpoints", () => {
  const metrics = new SluiceMetrics();
  let readiness: Readiness = { primaryReachable: true, policyLoaded: true, draining: false };
  let failMetrics = false;
  let http: HttpEndpoints;
  const url = (path: string) => `http://127.0.0.1:${http.port}${path}`;

  beforeAll(async () => {
    http = await startHttpEndpoints({
      host: "127.0.0.1",
      port: 0,
      metrics: () => {
        if (failMetrics) throw new Error("worker did not answer");
        return metrics.render();
      },
      readiness: async () => readiness,
    });
  });
  afterAll(() => http.close());

  it("serves /metrics in the Prometheus text format, moving as statements are recorded", async () => {
    metrics.statement({ pool: "reads", server: "db2", rule: "reads", seconds: 0.001, error: null });
    const first = await fetch(url("/metrics"));
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const count = async (res: Response) =>
      parsePrometheusText(await res.text()).get("sluice_statements_total")?.samples[0]?.value;
    expect(await count(first)).toBe(1);
    metrics.statement({ pool: "reads", server: "db2", rule: "reads", seconds: 0.001, error: null });
    expect(await count(await fetch(url("/metrics?x=1")))).toBe(2);
  });

  it("answers /healthz while the process is alive", async () => {
    const res = await fetch(url("/healthz"));
    expect([res.status, await res.text()]).toEqual([200, "ok\n"]);
  });

  it("answers /readyz from the readiness callback, with reasons when not ready", async () => {
    readiness = { primaryReachable: true, policyLoaded: true, draining: false };
    let res = await fetch(url("/readyz"));
    expect([res.status, await res.text()]).toEqual([200, "ready\n"]);
    readiness = { primaryReachable: false, policyLoaded: false, draining: false };
    res = await fetch(url("/readyz"));
    expect([res.status, await res.text()]).toEqual([
      503,
      "not ready: no reachable primary, no policy loaded\n",
    ]);
    readiness = { primaryReachable: true, policyLoaded: true, draining: true };
    res = await fetch(url("/readyz"));
    expect([res.status, await res.text()]).toEqual([503, "not ready: shutting down\n"]);
  });

  it("gives 404 elsewhere, 405 for other methods and 500 when a callback fails", async () => {
    expect((await fetch(url("/"))).status).toBe(404);
    expect((await fetch(url("/metricsx"))).status).toBe(404);
    const post = await fetch(url("/metrics"), { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    const head = await fetch(url("/healthz"), { method: "HEAD" });
    expect([head.status, await head.text()]).toEqual([200, ""]);
    failMetrics = true;
    const broken = await fetch(url("/metrics"));
    expect([broken.status, await broken.text()]).toEqual([500, "error: worker did not answer\n"]);
    failMetrics = false;
    expect((await fetch(url("/healthz"))).status).toBe(200);
  });
});
