/**
 * Helpers for the monitor's integration tests (local to them rather than in test/support, which
 * the harness owns): build a Monitor on the test cluster, wait for a topology condition, find the
 * server that is really writable, and put the cluster back as the other test files expect it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import type { ClusterControl } from "../../src/cluster/cluster-control.js";
import type { ServerInfo } from "../../src/cluster/types.js";
import { Monitor, type MonitorOptions, type Topology } from "../../src/monitor/index.js";

export const testLogger = pino({ level: process.env.SLUICE_TEST_LOG ?? "silent" });

export function monitorOn(
  cluster: ClusterControl,
  overrides: Partial<MonitorOptions> = {},
  name = "m",
): Monitor {
  return new Monitor(
    {
      servers: cluster.info.servers.map((s) => ({ name: s.name, host: s.host, port: s.port })),
      credentials: cluster.info.users.monitor,
      replication: cluster.info.users.repl,
      ...overrides,
    },
    testLogger.child({ monitor: name }),
  );
}

/** Waits until the monitor publishes a snapshot satisfying `ok`; returns it. */
export function waitForTopology(
  monitor: Monitor,
  ok: (t: Topology) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Topology> {
  const now = monitor.topology;
  if (now !== null && ok(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for: ${what}\nlast topology: ${JSON.stringify(monitor.topology, null, 1)}`,
        ),
      );
    }, timeoutMs);
    const off = monitor.subscribe((t) => {
      if (ok(t)) {
        clearTimeout(timer);
        off();
        resolve(t);
      }
    });
  });
}

export function stateOf(t: Topology, name: string): string | undefined {
  return t.servers.find((s) => s.name === name)?.state;
}

/** Which servers are writable (read_only=0), asked as root; null entries are unreachable. */
export async function writableServers(cluster: ClusterControl): Promise<string[]> {
  const out: string[] = [];
  for (const s of cluster.info.servers) {
    if (!cluster.isRunning(s)) continue;
    const rows = await cluster.rootQuery(s, "SELECT @@read_only AS ro").catch(() => null);
    if (rows !== null && Number(rows[0]?.ro) === 0) out.push(s.name);
  }
  return out;
}

async function one(cluster: ClusterControl, s: ServerInfo, sql: string): Promise<string> {
  const rows = await cluster.rootQuery(s, sql);
  return String(Object.values(rows[0] ?? {})[0] ?? "");
}

function seqnos(list: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const part of list
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [d, , q] = part.split("-");
    if (d !== undefined && q !== undefined) m.set(d, BigInt(q));
  }
  return m;
}

function reaches(have: string, want: string): boolean {
  const h = seqnos(have);
  return [...seqnos(want)].every(([d, q]) => (h.get(d) ?? -1n) >= q);
}

/**
 * Restores the harness topology with root SQL only (independent of the code under test):
 * everything running, the original primary writable and holding everything, both replicas
 * replicating from it, read_only on replicas.
 */
export async function restoreTopology(cluster: ClusterControl): Promise<void> {
  for (const s of cluster.info.servers) {
    await cluster.resume(s);
    await cluster.start(s);
  }
  for (const s of cluster.info.servers) await cluster.rootQuery(s, "SET GLOBAL read_only = 1");
  const primary = cluster.primary;
  // The most advanced server's position is what the original primary must reach first.
  let target = "";
  for (const s of cluster.info.servers) {
    const pos = await one(cluster, s, "SELECT @@gtid_binlog_pos");
    if (target === "" || reaches(pos, target)) target = pos;
  }
  const mine = await one(cluster, primary, "SELECT @@gtid_binlog_pos");
  if (!reaches(mine, target)) {
    const source = [];
    for (const s of cluster.replicas) {
      if (reaches(await one(cluster, s, "SELECT @@gtid_binlog_pos"), target)) source.push(s);
    }
    const from = source[0];
    if (from === undefined) throw new Error(`no server holds ${target}`);
    await cluster.rootQuery(
      primary,
      "STOP ALL SLAVES",
      "RESET SLAVE ALL",
      `SET GLOBAL gtid_slave_pos = '${mine}'`,
      `CHANGE MASTER TO MASTER_HOST='${from.host}', MASTER_PORT=${from.port}, MASTER_USER='${cluster.info.users.repl.user}', ` +
        `MASTER_PASSWORD='${cluster.info.users.repl.password}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      "START SLAVE",
    );
    const deadline = Date.now() + 30_000;
    while (!reaches(await one(cluster, primary, "SELECT @@gtid_current_pos"), target)) {
      if (Date.now() > deadline) throw new Error(`${primary.name} could not catch up with ${target}`);
      await sleep(100);
    }
  }
  await cluster.rootQuery(primary, "STOP ALL SLAVES", "RESET SLAVE ALL", "SET GLOBAL read_only = 0");
  for (const r of cluster.replicas) {
    const b = await one(cluster, r, "SELECT @@gtid_binlog_pos");
    const c = await one(cluster, r, "SELECT @@gtid_current_pos");
    const pos = reaches(b, c) ? b : c;
    await cluster.rootQuery(
      r,
      "STOP ALL SLAVES",
      "RESET SLAVE ALL",
      `SET GLOBAL gtid_slave_pos = '${pos}'`,
      `CHANGE MASTER TO MASTER_HOST='${primary.host}', MASTER_PORT=${primary.port}, MASTER_USER='${cluster.info.users.repl.user}', ` +
        `MASTER_PASSWORD='${cluster.info.users.repl.password}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      "START SLAVE",
    );
  }
  await cluster.waitForReplication();
}

/**
 * Writes ledger rows continually, always to the server the monitor says takes writes, over
 * mysql2 directly (the proxy is not involved). Every acknowledged insert is remembered.
 */
export class LedgerWriter {
  readonly acked: number[] = [];
  readonly ackedAt: { id: number; at: number; server: string }[] = [];
  errors = 0;
  private nextId: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private conns = new Map<string, Awaited<ReturnType<ClusterControl["connect"]>>>();

  constructor(
    private readonly cluster: ClusterControl,
    private readonly monitor: Monitor,
    readonly table: string,
    firstId = 1,
    private readonly pauseMs = 5,
  ) {
    this.nextId = firstId;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const c of this.conns.values()) c.destroy();
    this.conns.clear();
  }

  private async connection(name: string) {
    let c = this.conns.get(name);
    if (c === undefined) {
      const server = this.cluster.info.servers.find((s) => s.name === name);
      if (server === undefined) throw new Error(`unknown server ${name}`);
      c = await this.cluster.connect(server);
      c.on("error", () => this.conns.delete(name));
      this.conns.set(name, c);
    }
    return c;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const target = this.monitor.topology?.servers.find((s) => s.acceptsWrites)?.name;
      if (target === undefined) {
        await sleep(20);
        continue;
      }
      const id = this.nextId++;
      try {
        const c = await this.connection(target);
        await c.query(`INSERT INTO ${this.table} (id, server) VALUES (?, ?)`, [id, target]);
        this.acked.push(id);
        this.ackedAt.push({ id, at: Date.now(), server: target });
      } catch {
        this.errors++;
        this.conns.get(target)?.destroy();
        this.conns.delete(target);
        await sleep(20);
      }
      if (this.pauseMs > 0) await sleep(this.pauseMs);
    }
  }
}

/** Ids present in `table` on `server` (as root). */
export async function ledgerIds(
  cluster: ClusterControl,
  server: ServerInfo,
  table: string,
): Promise<Set<number>> {
  const rows = await cluster.rootQuery(server, `SELECT id FROM ${cluster.info.database}.${table}`);
  return new Set(rows.map((r) => Number(r.id)));
}
