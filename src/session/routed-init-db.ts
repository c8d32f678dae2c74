import { classifyCached } from "../classifier/cache.js";
import { encodeErr } from "../protocol/generic-response.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { forwardCommand } from "./forwarder.js";
import { placeOn, type RoutedOutcome, type RoutedSession, timeoutError } from "./routed-query.js";
import { settleCommandTimedOut } from "./statement-timeout.js";

/**
 * COM_INIT_DB under a policy, on the session's connection (on `server` when it holds none), under
 * a time limit: a server that stopped answering must not hang the session here any more than on
 * a query (statement-timeout.ts).
 *
 * The limit is the one the policy gives `USE db`. COM_INIT_DB is how clients spell USE (the mysql
 * client's `use` command, connectors' selectDb / setCatalog), so a DBA gets one limit whichever
 * way the client sent it: the rule that matches USE, else the statement_timeout of the pool that
 * rule names, else the config default.
 */
export async function runRoutedInitDb(
  session: RoutedSession,
  packet: Packet,
  server: string,
): Promise<RoutedOutcome> {
  const use = `USE \`${packet.payload.toString("utf8", 1).replaceAll("`", "``")}\``;
  session.deadline.start(session.router.timeoutFor(classifyCached(use), use));
  try {
    const seq = packet.lastSeq + 1;
    if ((await placeOn(session, server, seq, false)) !== true) return { kind: "answered" };
    const held = session.held()!;
    if (session.deadline.expired) {
      held.conn.setIdle(true);
      session.write(encodePacket(seq, encodeErr(timeoutError(session))).bytes);
      return { kind: "answered" };
    }
    const outcome = await forwardCommand(
      session.socket,
      session.input,
      held.conn,
      packet,
      undefined,
      undefined,
      session.deadline,
    );
    if (outcome.kind === "timed-out") return settleCommandTimedOut(session, held.conn, outcome, server);
    return { kind: "forwarded", outcome, server };
  } finally {
    session.deadline.finish();
  }
}
