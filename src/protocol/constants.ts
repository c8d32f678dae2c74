/**
 * Protocol constants, named with the spec's words
 * (https://mariadb.com/kb/en/connection/ and the MySQL "Client/Server Protocol" pages).
 */

/** Payload length of a full frame; a payload this long continues in the next frame (spec: "Sending More Than 16Mb"). */
export const MAX_FRAME_PAYLOAD = 0xff_ff_ff;

/** Capability flags (protocol::CapabilityFlags). */
export const Capability = {
  LongPassword: 1 << 0,
  FoundRows: 1 << 1,
  LongFlag: 1 << 2,
  ConnectWithDb: 1 << 3,
  NoSchema: 1 << 4,
  Compress: 1 << 5,
  Odbc: 1 << 6,
  LocalFiles: 1 << 7,
  IgnoreSpace: 1 << 8,
  Protocol41: 1 << 9,
  Interactive: 1 << 10,
  Ssl: 1 << 11,
  IgnoreSigpipe: 1 << 12,
  Transactions: 1 << 13,
  Reserved: 1 << 14,
  SecureConnection: 1 << 15,
  MultiStatements: 1 << 16,
  MultiResults: 1 << 17,
  PsMultiResults: 1 << 18,
  PluginAuth: 1 << 19,
  ConnectAttrs: 1 << 20,
  PluginAuthLenencClientData: 1 << 21,
  CanHandleExpiredPasswords: 1 << 22,
  SessionTrack: 1 << 23,
  DeprecateEof: 1 << 24,
} as const;

/** Server status flags carried by OK and EOF packets (SERVER_STATUS_*). */
export const ServerStatus = {
  InTrans: 0x0001,
  Autocommit: 0x0002,
  MoreResultsExist: 0x0008,
  NoGoodIndexUsed: 0x0010,
  NoIndexUsed: 0x0020,
  CursorExists: 0x0040,
  LastRowSent: 0x0080,
  DbDropped: 0x0100,
  NoBackslashEscapes: 0x0200,
  MetadataChanged: 0x0400,
  QueryWasSlow: 0x0800,
  PsOutParams: 0x1000,
  InTransReadonly: 0x2000,
  SessionStateChanged: 0x4000,
  /** MariaDB: sql_mode has ANSI_QUOTES */
  AnsiQuotes: 0x8000,
} as const;

/**
 * The status flags that describe the session rather than the statement just run: what the server
 * reports for a command that runs no statement (COM_PING, a KILL's OK). The others (more results,
 * index use, cursor, slow query, state changed…) are cleared at the start of each command.
 */
export const SESSION_STATUS_FLAGS =
  ServerStatus.InTrans |
  ServerStatus.Autocommit |
  ServerStatus.NoBackslashEscapes |
  ServerStatus.InTransReadonly |
  ServerStatus.AnsiQuotes;

/** Command bytes (COM_*), the first payload byte of every client command packet. */
export const Command = {
  Sleep: 0x00,
  Quit: 0x01,
  InitDb: 0x02,
  Query: 0x03,
  FieldList: 0x04,
  CreateDb: 0x05,
  DropDb: 0x06,
  Refresh: 0x07,
  Shutdown: 0x08,
  Statistics: 0x09,
  ProcessInfo: 0x0a,
  Connect: 0x0b,
  ProcessKill: 0x0c,
  Debug: 0x0d,
  Ping: 0x0e,
  Time: 0x0f,
  DelayedInsert: 0x10,
  ChangeUser: 0x11,
  BinlogDump: 0x12,
  TableDump: 0x13,
  ConnectOut: 0x14,
  RegisterSlave: 0x15,
  StmtPrepare: 0x16,
  StmtExecute: 0x17,
  StmtSendLongData: 0x18,
  StmtClose: 0x19,
  StmtReset: 0x1a,
  SetOption: 0x1b,
  StmtFetch: 0x1c,
  Daemon: 0x1d,
  BinlogDumpGtid: 0x1e,
  ResetConnection: 0x1f,
} as const;

/** First payload byte of generic responses. */
export const ResponseHeader = {
  Ok: 0x00,
  LocalInfile: 0xfb,
  Eof: 0xfe,
  Err: 0xff,
} as const;

/** COM_STMT_EXECUTE flags byte: a cursor was requested. */
export const CursorType = {
  NoCursor: 0x00,
  ReadOnly: 0x01,
  ForUpdate: 0x02,
  Scrollable: 0x04,
} as const;

export const NATIVE_PASSWORD_PLUGIN = "mysql_native_password";

/** utf8mb4_general_ci: what Sluice announces in its greeting. */
export const DEFAULT_COLLATION = 45;
