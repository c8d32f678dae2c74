import { RawClient, rawLogin } from "../integration/proxy-raw-client.js";
import type { FuzzCase } from "./fault-fuzz-cases.js";

/** What one malformed session saw: the packets Sluice sent and how it ended. */
export interface FuzzOutcome {
  readonly label: string;
  /** first byte of each packet received after the case was sent (0xff = ERR) */
  readonly firstBytes: number[];
  readonly errnos: number[];
  readonly closed: boolean;
  /** neither an expected answer nor a close before the deadline */
  readonly hung: boolean;
  readonly ok: boolean;
}

async function nextEvent(client: RawClient, untilMs: number): Promise<Buffer | "closed" | "timeout"> {
  const left = untilMs - Date.now();
  if (left <= 0) return "timeout";
  try {
    const p = await client.read(left);
    return p === undefined ? "closed" : p.payload;
  } catch {
    return "timeout";
  }
}

/**
 * Runs one case on its own connection. `error-or-close` cases pass on an ERR or a close and fail
 * on anything else (an AuthSwitchRequest is allowed as the first packet before login); `responds` cases pass on any packet or a close. No answer within `deadlineMs` fails.
 */
export async function runFuzzCase(
  host: string,
  port: number,
  c: FuzzCase,
  login: { user: string; password: string },
  deadlineMs: number,
): Promise<FuzzOutcome> {
  let client: RawClient;
  if (c.kind === "pre-login") {
    client = await RawClient.open(host, port);
    const greeting = await client.read();
    if (greeting === undefined || greeting.payload[0] !== 10) throw new Error("no greeting from Sluice");
  } else {
    client = (await rawLogin(host, port, login.user, login.password)).client;
  }
  const firstBytes: number[] = [];
  const errnos: number[] = [];
  let closed = false;
  let hung = false;
  let ok = false;
  try {
    for (const w of c.writes) client.sendRaw(w);
    const until = Date.now() + deadlineMs;
    for (;;) {
      const ev = await nextEvent(client, until);
      if (ev === "timeout") {
        hung = true;
        break;
      }
      if (ev === "closed") {
        closed = true;
        ok = true;
        break;
      }
      firstBytes.push(ev[0] ?? -1);
      if (ev[0] === 0xff) errnos.push(ev.readUInt16LE(1));
      if (c.kind === "post-login" && c.expect === "responds") {
        ok = true;
        break;
      }
      if (ev[0] === 0xff) {
        ok = true;
        break;
      }
      if (c.kind === "pre-login" && ev[0] === 0xfe && firstBytes.length === 1) continue;
      break; // anything else (an OK to a login that should have failed, a stray packet) is wrong
    }
  } finally {
    client.close();
  }
  return { label: c.label, firstBytes, errnos, closed, hung, ok };
}
