import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { u16 } from "../protocol/wire-builder.js";
import { useCluster } from "../support/cluster.js";
import { startTestProxy } from "./proxy-helpers.js";
import { type RawClient, rawLogin } from "./proxy-raw-client.js";

const cluster = useCluster();
let proxy: ProxyHandle;

beforeAll(async () => {
  proxy = await startTestProxy(cluster);
});

afterAll(async () => {
  await proxy?.close();
});

type Result = { kind: "ok" } | { kind: "err"; errno: number } | { kind: "rows"; rows: (string | null)[][] };

/** Reads one text-protocol result the way the spec describes it (test-side, independent of src/). */
async function readResult(c: RawClient): Promise<Result> {
  const first = await c.read();
  if (first === undefined) throw new Error("closed");
  if (first.payload[0] === 0xff) return { kind: "err", errno: first.payload.readUInt16LE(1) };
  if (first.payload[0] === 0x00) return { kind: "ok" };
  const columns = first.payload[0]!;
  for (let i = 0; i < columns; i++) await c.read(); // column definitions (DEPRECATE_EOF: no EOF after)
  const rows: (string | null)[][] = [];
  for (;;) {
    const p = (await c.read())!;
    if (p.payload[0] === 0xfe && p.payload.length < 0xffffff) return { kind: "rows", rows };
    const row: (string | null)[] = [];
    let at = 0;
    while (at < p.payload.length) {
      const len = p.payload[at]!;
      if (len === 0xfb) {
        row.push(null);
        at++;
      } else if (len < 0xfb) {
        row.push(p.payload.subarray(at + 1, at + 1 + len).toString());
        at += 1 + len;
      } else {
        const n = len === 0xfc ? p.payload.readUInt16LE(at + 1) : p.payload.readUIntLE(at + 1, 3);
        const skip = len === 0xfc ? 3 : 4;
        row.push(p.payload.subarray(at + skip, at + skip + n).toString());
        at += skip + n;
      }
    }
    rows.push(row);
  }
}

function query(c: RawClient, sql: string): Promise<Result> {
  c.send(0, [0x03, ...Buffer.from(sql)]);
  return readResult(c);
}

describe("commands forwarded through Sluice", () => {
  it("COM_INIT_DB, COM_STATISTICS, COM_FIELD_LIST, COM_SET_OPTION and COM_RESET_CONNECTION", async () => {
    const { app } = cluster.info.users;
    const { client } = await rawLogin(proxy.host, proxy.port, app.user, app.password, cluster.info.database);
    await query(client, "CREATE TABLE IF NOT EXISTS proxy_cmd (a INT, b VARCHAR(5))");

    client.send(0, [0x02, ...Buffer.from("mysql")]);
    expect((await client.read())?.payload[0]).toBe(0x00);
    expect(await query(client, "SELECT DATABASE()")).toEqual({ kind: "rows", rows: [["mysql"]] });
    client.send(0, [0x02, ...Buffer.from(cluster.info.database)]);
    await client.read();

    client.send(0, [0x09]);
    expect((await client.read())?.payload.toString()).toMatch(/^Uptime: \d+/);

    client.send(0, [0x04, ...Buffer.from("proxy_cmd\0")]);
    const defs: Buffer[] = [];
    for (let p = await client.read(); p !== undefined && p.payload[0] !== 0xfe; p = await client.read())
      defs.push(p.payload);
    expect(defs.length).toBe(2);

    client.send(0, [0x1b, ...u16(0)]); // MYSQL_OPTION_MULTI_STATEMENTS_ON
    expect([0x00, 0xfe]).toContain((await client.read())?.payload[0]);
    expect(await query(client, "SELECT 1; SELECT 2")).toEqual({ kind: "rows", rows: [["1"]] });
    expect(await readResult(client)).toEqual({ kind: "rows", rows: [["2"]] });
    client.send(0, [0x1b, ...u16(1)]); // MYSQL_OPTION_MULTI_STATEMENTS_OFF
    await client.read();
    expect(await query(client, "SELECT 1; SELECT 2")).toMatchObject({ kind: "err", errno: 1064 });

    await query(client, "SET @kept = 'x'");
    expect(await query(client, "SELECT @kept")).toEqual({ kind: "rows", rows: [["x"]] });
    client.send(0, [0x1f]);
    expect((await client.read())?.payload[0]).toBe(0x00);
    expect(await query(client, "SELECT @kept")).toEqual({ kind: "rows", rows: [[null]] });

    client.send(0, [0x08]); // COM_SHUTDOWN is refused by Sluice
    expect((await client.read())?.payload.readUInt16LE(1)).toBe(1047);
    client.send(0, [0x01]);
    client.close();
  });

  it("pauses the backend while a client does not read, without buffering the result", async () => {
    const { app } = cluster.info.users;
    const { client } = await rawLogin(proxy.host, proxy.port, app.user, app.password, cluster.info.database);
    client.socket.pause();
    const pausesBefore = proxy.counters.backpressurePauses;
    const before = process.memoryUsage().arrayBuffers;
    // about 64 MiB of rows
    client.send(0, [0x03, ...Buffer.from("SELECT seq, REPEAT('x', 1000) FROM seq_1_to_64000")]);
    await new Promise((r) => setTimeout(r, 1500));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(proxy.counters.backpressurePauses).toBeGreaterThan(pausesBefore);
    expect(grown).toBeLessThan(24 * 1024 * 1024);
    client.socket.resume();
    const result = await readResult(client);
    expect(result.kind === "rows" ? result.rows.length : -1).toBe(64000);
    client.close();
  });
});
