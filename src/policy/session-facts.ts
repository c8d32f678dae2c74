/**
 * What the policy may know about the session a statement arrives in. Kept apart from the
 * statement's own facts (src/classifier/facts.ts): the classifier sees text, the session sees
 * history. Routing fills this from server status flags and session tracking; dry-run fills it
 * from its simulation; policy tests write it by hand.
 */
export interface SessionFacts {
  /** the server reported SERVER_STATUS_IN_TRANS, or a transaction was just begun */
  readonly inTransaction: boolean;
  /** the open transaction is READ ONLY (SERVER_STATUS_IN_TRANS_READONLY) */
  readonly readOnlyTransaction: boolean;
  readonly autocommit: boolean;
  readonly user: string;
  /** the client's address, without port */
  readonly clientAddress: string;
  /** the session's default database, or null */
  readonly schema: string | null;
  /** temporary tables the session has created and not dropped (lower-case names) */
  readonly temporaryTables: readonly string[];
  /** the session holds state that pins it to its current backend connection */
  readonly pinned: boolean;
  /** the pool the previous statement ran on, or null */
  readonly previousPool: string | null;
}

export const DEFAULT_SESSION_FACTS: SessionFacts = {
  inTransaction: false,
  readOnlyTransaction: false,
  autocommit: true,
  user: "app",
  clientAddress: "127.0.0.1",
  schema: null,
  temporaryTables: [],
  pinned: false,
  previousPool: null,
};
