import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { u16, u32 } from "../protocol/wire-builder.js";
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

const CURSOR_EXISTS = 0x40;
const LAST_ROW_SENT = 0x80;

/** Packets of one response, read with the test's own knowledge of the expected shape. */
async function readPackets(c: RawClient, n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await c.read();
    if (p === undefined) throw new Error(`connection closed after ${i} of ${n} packets`);
    out.push(p.payload);
  }
  return out;
}

/** Reads rows until a 0xFE terminator; returns the rows and the terminator's status flags. */
async function readRows(c: RawClient, deprecateEof: boolean): Promise<{ rows: Buffer[]; status: number }> {
  const rows: Buffer[] = [];
  for (;;) {
    const p = await c.read();
    if (p === undefined) throw new Error("connection closed inside a result");
    if (p.payload[0] === 0xfe && p.payload.length < 0xffffff) {
      // classic EOF: fe warnings(2) status(2); OK-as-EOF: fe affected(lenenc) insert-id(lenenc) status(2)
      const status = deprecateEof ? p.payload.readUInt16LE(3) : p.payload.readUInt16LE(3);
      return { rows, status };
    }
    if (p.payload[0] === 0xff) throw new Error(`error: ${p.payload.subarray(9).toString()}`);
    rows.push(p.payload);
  }
}

function stmtId(prepareOk: Buffer): number[] {
  return [...prepareOk.subarray(1, 5)];
}

describe.each([true, false])("binary protocol through Sluice (DEPRECATE_EOF %s)", (deprecateEof) => {
  it("prepares, executes with a read-only cursor, fetches in batches, resets and closes", async () => {
    const { app } = cluster.info.users;
    const { client } = await rawLogin(
      proxy.host,
      proxy.port,
      app.user,
      app.password,
      cluster.info.database,
      deprecateEof,
    );
    client.send(0, [0x16, ...Buffer.from("SELECT seq FROM seq_1_to_10 WHERE seq > ?")]);
    const [ok] = await readPackets(client, 1);
    expect(ok?.[0]).toBe(0x00);
    expect(ok?.readUInt16LE(5)).toBe(1); // columns
    expect(ok?.readUInt16LE(7)).toBe(1); // params
    await readPackets(client, deprecateEof ? 2 : 4); // param def, column def (+ EOF after each block)
    const id = stmtId(ok!);
    // COM_STMT_EXECUTE: flags=CURSOR_TYPE_READ_ONLY, iteration 1, null bitmap, bound, LONGLONG 3
    client.send(0, [0x17, ...id, 0x01, ...u32(1), 0x00, 0x01, 0x08, 0x00, 3, 0, 0, 0, 0, 0, 0, 0]);
    const meta = await readPackets(client, 2); // column count, column def
    expect(meta[0]?.[0]).toBe(1);
    const afterMeta = await readRows(client, deprecateEof);
    expect(afterMeta.rows).toEqual([]);
    expect(afterMeta.status & CURSOR_EXISTS).toBe(CURSOR_EXISTS);
    const fetched: number[] = [];
    let status = 0;
    for (let batch = 0; batch < 3 && (status & LAST_ROW_SENT) === 0; batch++) {
      client.send(0, [0x1c, ...id, ...u32(4)]);
      const r = await readRows(client, deprecateEof);
      // binary row: 0x00 header, null bitmap (1 byte for 1 column), BIGINT UNSIGNED value
      for (const row of r.rows) fetched.push(Number(row.readBigUInt64LE(2)));
      status = r.status;
    }
    expect(fetched).toEqual([4, 5, 6, 7, 8, 9, 10]);
    client.send(0, [0x1a, ...id]); // COM_STMT_RESET
    const [resetOk] = await readPackets(client, 1);
    expect(resetOk?.[0]).toBe(0x00);
    client.send(0, [0x19, ...id]); // COM_STMT_CLOSE: no response
    client.send(0, [0x03, ...Buffer.from("SELECT 'after close'")]);
    const [count] = await readPackets(client, 1);
    expect(count?.[0]).toBe(1);
    await readPackets(client, deprecateEof ? 1 : 2); // column def (+ EOF)
    const tail = await readRows(client, deprecateEof);
    expect(tail.rows[0]?.subarray(1).toString()).toBe("after close");
    client.send(0, [0x01]);
    client.close();
  });

  it("sends long data in pieces before execute", async () => {
    const { app } = cluster.info.users;
    const { client } = await rawLogin(
      proxy.host,
      proxy.port,
      app.user,
      app.password,
      cluster.info.database,
      deprecateEof,
    );
    client.send(0, [0x16, ...Buffer.from("SELECT LENGTH(?) AS n, LEFT(?, 3) AS head")]);
    const [ok] = await readPackets(client, 1);
    await readPackets(client, deprecateEof ? 4 : 6);
    const id = stmtId(ok!);
    const piece = Buffer.alloc(100_000, 0x61);
    for (let i = 0; i < 3; i++) client.send(0, [0x18, ...id, ...u16(0), ...piece]);
    client.send(0, [0x18, ...id, ...u16(1), ...Buffer.from("xyz")]);
    // both parameters are BLOBs whose values came as long data: no values in the execute packet
    client.send(0, [0x17, ...id, 0x00, ...u32(1), 0x00, 0x01, 0xfc, 0x00, 0xfc, 0x00]);
    await readPackets(client, deprecateEof ? 3 : 4);
    const r = await readRows(client, deprecateEof);
    expect(r.rows.length).toBe(1);
    const row = r.rows[0]!;
    // 0x00, null bitmap (1 byte), INT n (4 bytes), lenenc string
    expect(row.readInt32LE(2)).toBe(300_000);
    expect(row[6]).toBe(3);
    expect(row.subarray(7, 10).toString()).toBe("xyz");
    client.send(0, [0x01]);
    client.close();
  });
});
