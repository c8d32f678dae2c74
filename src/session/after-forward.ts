import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr } from "../protocol/generic-response.js";
import { MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import type { ForwardOutcome } from "./forwarder.js";
import type { SessionCore } from "./session-core.js";
import type { Interruption } from "./statement-timeout.js";

/**
 * The session's bookkeeping once a forwarded command's answer went to the client (or the backend
 * or the client failed): transaction and database as the server reported them, the routing
 * state, and whether the held connection goes back. `routed`: the routed path decided about the
 * connection already. Returns whether the session goes on.
 */
export function afterForward(
  core: SessionCore,
  outcome: ForwardOutcome,
  server: string,
  command: number,
  packet: Packet,
  routed: boolean,
): boolean {
  const s = core.services;
  const router = core.router;
  const lease = core.leases.current;
  switch (outcome.kind) {
    case "complete": {
      const st = outcome.state;
      if (st.status !== undefined) core.inTransaction = (st.status & ServerStatus.InTrans) !== 0;
      if (command === Command.InitDb && st.error === undefined) {
        core.database = packet.payload.toString("utf8", 1);
        router?.schemaChanged(core.database);
      }
      if ((command === Command.ResetConnection || command === Command.ChangeUser) && st.error === undefined) {
        router?.reset(core.sessionStart());
      }
      if (command === Command.SetOption && lease !== undefined) lease.dirty = true;
      if (routed) return true; // the routed path decided about the connection already
      lease?.conn.setIdle(true);
      if (router !== undefined) {
        if (router.mayRelease()) core.release.defer();
      } else {
        core.release.asChooserSays(command, st.status);
      }
      return true;
    }
    case "client-lost":
      core.leases.drop();
      return false;
    case "timed-out":
      // only routed statements carry a deadline, and they settle it (statement-timeout.ts)
      core.leases.drop();
      router?.disconnected();
      return false;
    case "backend-lost":
    case "protocol-error": {
      s.counters.backendErrors++;
      core.log.warn(
        { server, outcome: outcome.kind, reason: outcome.reason },
        "backend failed during a command",
      );
      core.leases.drop();
      router?.disconnected();
      core.write(
        encodePacket(outcome.lastSeq + 1, encodeErr(MysqlErrors.backendLost(server, outcome.reason))).bytes,
      );
      // Outside a transaction the next command gets a new connection; inside, the work is gone.
      return !core.inTransaction;
    }
  }
}

/** A routed statement ran out of time; the client has error 1969 (see statement-timeout.ts). */
export function afterInterrupt(core: SessionCore, end: Interruption, server: string): boolean {
  if (end.kind === "kept") {
    const status = end.state.status;
    if (status !== undefined) core.inTransaction = (status & ServerStatus.InTrans) !== 0;
  } else {
    core.log.warn(
      { server, reason: end.reason, inTransaction: core.inTransaction },
      "dropped the backend connection of a statement past its time limit",
    );
    // as when a held connection dies: an open transaction is gone, the next command says so
    if (core.inTransaction) core.lostTransaction = true;
  }
  return end.clientUsable;
}
