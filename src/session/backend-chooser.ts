import type { Packet } from "../protocol/packet-assembler.js";

/**
 * The seam where the routing issue plugs in. For each command the session asks which server
 * should run it, and after each response whether the backend connection may go back to the
 * pool. Today every command goes to the primary and a session keeps its connection until it
 * ends (session state — variables, temporary tables, prepared statements, locks — lives on that
 * connection and nothing replays it yet).
 */
export interface ChooseContext {
  readonly command: number;
  readonly packet: Packet;
  /** the server of the connection the session holds, if any */
  readonly current: string | undefined;
  readonly inTransaction: boolean;
}

export interface ResponseContext {
  readonly command: number;
  readonly status: number | undefined;
  readonly inTransaction: boolean;
}

export interface BackendChooser {
  choose(ctx: ChooseContext): string;
  /** "release": give the connection back to the pool now (reset before reuse); "keep": stay pinned */
  afterResponse(ctx: ResponseContext): "keep" | "release";
}

export function primaryOnly(primary: string): BackendChooser {
  return {
    choose: () => primary,
    afterResponse: () => "keep",
  };
}
