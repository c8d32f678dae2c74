import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus-text.js";

/** What /readyz asks the runtime at each request. */
export interface Readiness {
  /** at least one primary is reachable (per the monitor's last topology) */
  readonly primaryReachable: boolean;
  readonly policyLoaded: boolean;
  /** shutting down: load balancers should stop sending clients */
  readonly draining: boolean;
}

export interface HttpEndpointsOptions {
  readonly host: string;
  /** 0 = an ephemeral port (tests) */
  readonly port: number;
  /** the /metrics body (aggregated across workers by the caller) */
  metrics(): string | Promise<string>;
  readiness(): Readiness | Promise<Readiness>;
}

export interface HttpEndpoints {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Why a proxy in this state should not get traffic; empty = ready. */
export function notReadyReasons(r: Readiness): string[] {
  const reasons: string[] = [];
  if (r.draining) reasons.push("shutting down");
  if (!r.primaryReachable) reasons.push("no reachable primary");
  if (!r.policyLoaded) reasons.push("no policy loaded");
  return reasons;
}

/**
 * The HTTP listener for machines: GET /metrics (Prometheus text 0.0.4), /healthz (the process
 * answers) and /readyz (it can serve: a primary is reachable and a policy is loaded). A failing
 * callback gives a 500 and never takes the process down.
 */
export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((e: unknown) => {
      if (!res.headersSent)
        send(res, 500, "text/plain; charset=utf-8", `error: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpEndpointsOptions,
): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  const known = path === "/metrics" || path === "/healthz" || path === "/readyz";
  if (!known)
    return send(res, 404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz or /readyz\n");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
  }
  if (path === "/healthz") return send(res, 200, "text/plain; charset=utf-8", "ok\n");
  if (path === "/metrics") return send(res, 200, PROMETHEUS_CONTENT_TYPE, await options.metrics());
  const reasons = notReadyReasons(await options.readiness());
  if (reasons.length === 0) return send(res, 200, "text/plain; charset=utf-8", "ready\n");
  return send(res, 503, "text/plain; charset=utf-8", `not ready: ${reasons.join(", ")}\n`);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
