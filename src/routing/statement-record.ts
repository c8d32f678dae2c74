/**
 * One statement Sluice forwarded, as query analysis sees it (metrics, digests, query log). Built
 * from references the session already holds: nothing is decoded or copied for it.
 */
export interface StatementRecord {
  /** Sluice's connection id of the client session */
  readonly session: number;
  readonly user: string;
  /** the session's database when the statement ran */
  readonly schema: string | null;
  /** the statement as the client sent it (redact before logging: it may hold customer data) */
  readonly text: string;
  readonly fingerprint: string;
  readonly digest: string;
  readonly pool: string;
  readonly server: string;
  readonly rule: string;
  readonly latencyMs: number;
  /** result-set rows sent to the client plus the affected rows of the closing OK packets */
  readonly rows: number;
  /**
   * "server": the server answered with an error; "lost": the backend failed mid-statement;
   * "timeout": Sluice interrupted it at its time limit
   */
  readonly error: "server" | "lost" | "timeout" | null;
  /** the error number the client got (2013 when the backend was lost), null on success */
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  readonly at: number;
}
