import type { BackendChooser } from "../../src/session/backend-chooser.js";

const QUERY = 0x03;

/**
 * A minimal read/write split for fault tests (the policy-driven router is not wired in yet):
 * autocommit SELECTs go to `replica`, everything else to the primary, and the connection goes back
 * to the pool after each statement outside a transaction, so a session survives a replica's death.
 */
export function readsTo(replica: string): (primary: string) => BackendChooser {
  return (primary) => ({
    choose: (ctx) => {
      if (ctx.inTransaction || ctx.command !== QUERY) return ctx.current ?? primary;
      const head = ctx.packet.payload.toString("latin1", 1, 8).trimStart().toUpperCase();
      return head.startsWith("SELECT") ? replica : primary;
    },
    afterResponse: (ctx) => (ctx.inTransaction ? "keep" : "release"),
  });
}
