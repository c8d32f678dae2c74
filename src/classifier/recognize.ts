import type { FactsBuilder } from "./builder.js";
import { scanBody } from "./expressions.js";
import {
  cacheStatement,
  deallocateStatement,
  executeStatement,
  explainStatement,
  flushStatement,
  getStatement,
  maintenanceStatement,
  prepareStatement,
  replicationControl,
} from "./statements/admin.js";
import { ddlStatement, renameStatement, truncateStatement } from "./statements/ddl.js";
import {
  callStatement,
  deleteStatement,
  doStatement,
  firstWordInParens,
  handlerStatement,
  insertStatement,
  loadStatement,
  selectStatement,
  updateStatement,
  withStatement,
} from "./statements/query.js";
import { setStatement, useStatement } from "./statements/session.js";
import { showStatement } from "./statements/show.js";
import {
  beginStatement,
  commitStatement,
  lockStatement,
  releaseStatement,
  rollbackStatement,
  savepointStatement,
  startTransaction,
  unlockStatement,
  xaStatement,
} from "./statements/transaction.js";
import { C, Tok } from "./tokens.js";
import { isOp, kindAt, kwAt, type View } from "./view.js";

/** Recognise the statement whose first token is at i, filling b. Never throws on odd input. */
export function recognize(v: View, b: FactsBuilder, i: number): void {
  if (i >= v.to) {
    b.setKind("empty");
    return;
  }
  if (isOp(v, i, C.lparen)) {
    const first = firstWordInParens(v, i);
    const k = first === -1 ? null : kwAt(v, first);
    if (k === "SELECT" || k === "WITH" || k === "VALUES" || k === "TABLE") selectStatement(v, b, i);
    else unknown(b);
    return;
  }
  // label: BEGIN … END label
  if (kindAt(v, i) === Tok.Word && isOp(v, i + 1, C.colon)) {
    compound(v, b, i);
    return;
  }
  const k = kwAt(v, i);
  switch (k) {
    case "SELECT":
    case "VALUES":
    case "TABLE":
      selectStatement(v, b, i);
      return;
    case "WITH":
      withStatement(v, b, i, recognize);
      return;
    case "INSERT":
    case "REPLACE":
      insertStatement(v, b, i);
      return;
    case "UPDATE":
      updateStatement(v, b, i);
      return;
    case "DELETE":
      deleteStatement(v, b, i);
      return;
    case "LOAD":
      loadStatement(v, b, i);
      return;
    case "CALL":
      callStatement(v, b, i);
      return;
    case "DO":
      doStatement(v, b, i);
      return;
    case "HANDLER":
      handlerStatement(v, b, i);
      return;
    case "CREATE":
    case "ALTER":
    case "DROP":
      ddlStatement(v, b, i);
      return;
    case "RENAME":
      renameStatement(v, b, i);
      return;
    case "TRUNCATE":
      truncateStatement(v, b, i);
      return;
    case "SET":
      setStatement(v, b, i, recognize);
      return;
    case "USE":
      useStatement(v, b, i);
      return;
    case "BEGIN":
      if (kwAt(v, i + 1) === "NOT") {
        compound(v, b, i);
        return;
      }
      beginStatement(v, b, i);
      return;
    case "START":
      if (kwAt(v, i + 1) === "TRANSACTION") {
        startTransaction(v, b, i);
        return;
      }
      replicationControl(v, b, i);
      return;
    case "STOP":
      replicationControl(v, b, i);
      return;
    case "COMMIT":
      commitStatement(v, b, i);
      return;
    case "ROLLBACK":
      rollbackStatement(v, b, i);
      return;
    case "SAVEPOINT":
      savepointStatement(v, b, i);
      return;
    case "RELEASE":
      releaseStatement(v, b, i);
      return;
    case "XA":
      xaStatement(v, b, i);
      return;
    case "LOCK":
      lockStatement(v, b, i);
      return;
    case "UNLOCK":
      unlockStatement(v, b, i);
      return;
    case "PREPARE":
      prepareStatement(v, b, i);
      return;
    case "EXECUTE":
      executeStatement(v, b, i);
      return;
    case "DEALLOCATE":
      deallocateStatement(v, b, i);
      return;
    case "GRANT":
      b.setKind("grant");
      return;
    case "REVOKE":
      b.setKind("revoke");
      return;
    case "ANALYZE":
    case "OPTIMIZE":
    case "REPAIR":
    case "CHECK":
    case "CHECKSUM":
      maintenanceStatement(v, b, i, recognize);
      return;
    case "EXPLAIN":
    case "DESCRIBE":
    case "DESC":
      explainStatement(v, b, i, recognize);
      return;
    case "SHOW":
      showStatement(v, b, i);
      return;
    case "FLUSH":
      flushStatement(v, b, i);
      return;
    case "RESET":
      b.setKind("reset");
      return;
    case "PURGE":
      b.setKind("purge");
      return;
    case "KILL":
      b.setKind("kill");
      return;
    case "SHUTDOWN":
      b.setKind("shutdown");
      return;
    case "INSTALL":
      b.setKind("install_plugin");
      return;
    case "UNINSTALL":
      b.setKind("uninstall_plugin");
      return;
    case "CHANGE":
      b.setKind("change_master");
      return;
    case "BINLOG":
      b.setKind("binlog");
      return;
    case "CACHE":
      cacheStatement(v, b, i);
      return;
    case "SIGNAL":
      b.setKind("signal");
      return;
    case "RESIGNAL":
      b.setKind("resignal");
      return;
    case "GET":
      getStatement(v, b, i);
      return;
    case "HELP":
      b.setKind("help");
      return;
    case "BACKUP":
      b.setKind("backup");
      return;
    case "IF":
    case "CASE":
    case "LOOP":
    case "WHILE":
    case "REPEAT":
    case "FOR":
    case "DECLARE":
      compound(v, b, i);
      return;
    default:
      unknown(b);
      return;
  }
}

function unknown(b: FactsBuilder): void {
  b.setKind("unknown");
  b.parse = "unknown";
}

/** A compound statement may run anything: a write; its tables are still listed. */
function compound(v: View, b: FactsBuilder, i: number): void {
  b.setKind("compound");
  scanBody(v, b, i, v.to, { tables: true, functions: false, selectInto: false });
  b.writes = true;
  b.guessed();
}
