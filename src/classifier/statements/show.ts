import type { FactsBuilder } from "../builder.js";
import type { StatementKind } from "../facts.js";
import type { Keyword } from "../keywords.js";
import { C } from "../tokens.js";
import { isOp, kwAt, nameAt, readTableName, type View, wordIs } from "../view.js";

const SIMPLE: Partial<Record<Keyword, StatementKind>> = {
  DATABASES: "show_databases",
  SCHEMAS: "show_databases",
  TABLES: "show_tables",
  VARIABLES: "show_variables",
  STATUS: "show_status",
  PROCESSLIST: "show_processlist",
  WARNINGS: "show_warnings",
  ERRORS: "show_errors",
  GRANTS: "show_grants",
  ENGINES: "show_engine",
  ENGINE: "show_engine",
  COLUMNS: "show_columns",
  FIELDS: "show_columns",
  INDEX: "show_index",
  INDEXES: "show_index",
  KEYS: "show_index",
  CREATE: "show_create",
};

/** SHOW …: every form is a read; the sub-kind says which. */
export function showStatement(v: View, b: FactsBuilder, i: number): void {
  let j = i + 1;
  while (
    kwAt(v, j) === "FULL" ||
    kwAt(v, j) === "GLOBAL" ||
    kwAt(v, j) === "SESSION" ||
    kwAt(v, j) === "LOCAL" ||
    kwAt(v, j) === "EXTENDED" ||
    kwAt(v, j) === "STORAGE"
  )
    j++;
  const k = kwAt(v, j);
  // SHOW COUNT(*) WARNINGS | ERRORS
  if (k === "COUNT" && isOp(v, j + 1, C.lparen)) {
    j += 4;
  }
  const k2 = kwAt(v, j);
  let kind: StatementKind = (k2 === null ? undefined : SIMPLE[k2]) ?? "show_other";
  if (k2 === "TABLE" && kwAt(v, j + 1) === "STATUS") kind = "show_table_status";
  else if ((k2 === "MASTER" || k2 === "BINLOG") && kwAt(v, j + 1) === "STATUS") kind = "show_master_status";
  else if (k2 === "SLAVE" || k2 === "REPLICA" || (k2 === "ALL" && kwAt(v, j + 1) === "SLAVES")) {
    kind = wordIs(v, j + 1, "HOSTS") ? "show_other" : "show_slave_status";
  } else if (wordIs(v, j, "BINARY") || (k2 === "MASTER" && kwAt(v, j + 1) === "LOGS")) kind = "show_binlog";
  else if ((k2 === "BINLOG" || k2 === "RELAYLOG") && kwAt(v, j + 1) === "EVENTS") kind = "show_binlog";
  b.setKind(kind);
  switch (kind) {
    case "show_warnings":
      b.need("warnings");
      break;
    case "show_errors":
      b.need("errors");
      break;
    case "show_columns":
    case "show_index": {
      // SHOW COLUMNS FROM t [FROM db]
      const from = kwAt(v, j + 1) === "FROM" || kwAt(v, j + 1) === "IN" ? j + 2 : -1;
      const name = from === -1 ? null : readTableName(v, from);
      if (name === null) b.guessed();
      else {
        const k3 = kwAt(v, name.next);
        const db = k3 === "FROM" || k3 === "IN" ? nameAt(v, name.next + 1) : null;
        b.addTable(db !== null && name.ref.schema === null ? { schema: db, name: name.ref.name } : name.ref);
      }
      break;
    }
    case "show_create": {
      const what = kwAt(v, j + 1);
      if (what === "TABLE" || what === "VIEW" || what === "SEQUENCE") {
        const name = readTableName(v, j + 2);
        if (name !== null) b.addTable(name.ref);
      }
      break;
    }
  }
}
