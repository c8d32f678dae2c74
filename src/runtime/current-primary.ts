import type { Topology } from "../monitor/types.js";
import { Command } from "../protocol/constants.js";
import type { BackendChooser } from "../session/backend-chooser.js";

/**
 * "The primary" as every path that needs one must read it: from the monitor's latest topology,
 * never from the roles the config had at start-up (those only stand in until the monitor's first
 * check). A failover or switchover changes the answer at the next statement or login.
 */
export interface CurrentPrimary {
  /** where writes go now: the server accepting writes, else the known (possibly down) primary */
  writer(): string;
  /**
   * where a new login (or COM_CHANGE_USER) takes its first backend connection: the writer, or
   * while no server accepts writes (a failover running) a server taking reads, so the login
   * still succeeds and its first write fails or waits on its own, not the login
   */
  login(): string;
}

export function currentPrimary(topology: () => Topology | null, configured: string): CurrentPrimary {
  const writer = (t: Topology | null): string | undefined => t?.servers.find((s) => s.acceptsWrites)?.name;
  return {
    writer: () => {
      const t = topology();
      return writer(t) ?? t?.primary ?? configured;
    },
    login: () => {
      const t = topology();
      if (t === null) return configured;
      return writer(t) ?? t.servers.find((s) => s.acceptsReads)?.name ?? t.primary ?? configured;
    },
  };
}

/**
 * The default chooser: every command to the current writer, connections kept (no multiplexing
 * without a policy to say what is safe). Reads the topology per command, so a session's next
 * connection after a failover is opened on the new primary. A login (COM_CONNECT stands for it)
 * or COM_CHANGE_USER goes where `login()` says when `loginOnReaders` (a policy routes the
 * session's statements afterwards); without a policy every statement needs the writer, so the
 * login does too.
 */
export function followPrimary(primary: CurrentPrimary, loginOnReaders: boolean): BackendChooser {
  return {
    choose: (ctx) =>
      loginOnReaders && (ctx.command === Command.Connect || ctx.command === Command.ChangeUser)
        ? primary.login()
        : primary.writer(),
    afterResponse: () => "keep",
  };
}
