import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ClientInput, InputError } from "../../src/session/client-input.js";

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

/** A loopback pair: Sluice's end (read by ClientInput) and the client's end (written by the test). */
async function pair(): Promise<{ sluice: Socket; client: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const address = server!.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const client = connect(port, "127.0.0.1");
  const sluice = await accepted;
  sockets.push(client, sluice);
  return { sluice, client };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ClientInput: a started packet must keep arriving", () => {
  it("fails the read when a partial packet stalls longer than the partial-packet timeout", async () => {
    const { sluice, client } = await pair();
    const input = new ClientInput(sluice, 1024 * 1024, 200);
    const read = input.next(0).then(
      () => "packet",
      (e: unknown) => (e instanceof InputError ? e.failure : e),
    );
    client.write(Buffer.from([100, 0, 0, 0, 3, 0x53])); // declares 100 bytes, sends 2
    expect(await read).toEqual({ kind: "timeout", ms: 200, partial: true });
  });

  it("the idle timeout says whether the client had started a packet when it fired", async () => {
    const { sluice, client } = await pair();
    const input = new ClientInput(sluice, 1024 * 1024, 60_000);
    const idle = await input.next(150).then(
      () => "packet",
      (e: unknown) => (e instanceof InputError ? e.failure : e),
    );
    expect(idle).toEqual({ kind: "timeout", ms: 150, partial: false });

    const other = await pair();
    const stalled = new ClientInput(other.sluice, 1024 * 1024, 60_000);
    const read = stalled.next(150).then(
      () => "packet",
      (e: unknown) => (e instanceof InputError ? e.failure : e),
    );
    other.client.write(Buffer.from([100, 0, 0, 0, 3, 0x53])); // declares 100 bytes, sends 2
    expect(await read).toEqual({ kind: "timeout", ms: 150, partial: true });
    client.end();
  });

  it("keeps waiting while bytes keep coming, and never times out an idle reader without a partial packet", async () => {
    const { sluice, client } = await pair();
    const input = new ClientInput(sluice, 1024 * 1024, 200);
    const read = input.next(0);
    await sleep(400); // idle, nothing buffered: no partial timer
    const payload = Buffer.from([3, ...Buffer.from("SELECT 1")]);
    const bytes = Buffer.from([payload.length, 0, 0, 0, ...payload]);
    for (const b of bytes) {
      client.write(Buffer.from([b]));
      await sleep(60); // slower than nothing, faster than the timeout between bytes
    }
    const packet = await read;
    expect(packet.payload.toString("latin1", 1)).toBe("SELECT 1");
  });
});
