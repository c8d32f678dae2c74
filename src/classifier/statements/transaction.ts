import type { FactsBuilder } from "../builder.js";
import { C } from "../tokens.js";
import { isOp, kwAt, nameAt, readTableName, type View } from "../view.js";

/** BEGIN [WORK] (BEGIN NOT ATOMIC is a compound statement, recognised before this). */
export function beginStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("begin");
  b.transaction = { kind: "begin", readOnly: null, consistentSnapshot: false };
  if (kwAt(v, i + 1) === "WORK") i++;
  if (i + 1 < v.to) b.guessed();
}

/** START TRANSACTION [WITH CONSISTENT SNAPSHOT | READ ONLY | READ WRITE] [, …] */
export function startTransaction(v: View, b: FactsBuilder, i: number): void {
  b.setKind("begin");
  let readOnly: boolean | null = null;
  let consistentSnapshot = false;
  let j = i + 2;
  while (j < v.to) {
    if (kwAt(v, j) === "WITH" && kwAt(v, j + 1) === "CONSISTENT" && kwAt(v, j + 2) === "SNAPSHOT") {
      consistentSnapshot = true;
      j += 3;
    } else if (kwAt(v, j) === "READ" && kwAt(v, j + 1) === "ONLY") {
      readOnly = true;
      j += 2;
    } else if (kwAt(v, j) === "READ" && kwAt(v, j + 1) === "WRITE") {
      readOnly = false;
      j += 2;
    } else {
      b.guessed();
      break;
    }
    if (isOp(v, j, C.comma)) j++;
  }
  b.transaction = { kind: "begin", readOnly, consistentSnapshot };
  // an explicit READ WRITE transaction is refused by a read_only server (error 1290)
  if (readOnly === false) b.writes = true;
}

/** [AND [NO] CHAIN] [[NO] RELEASE] after COMMIT / ROLLBACK [WORK] */
function chainRelease(v: View, b: FactsBuilder, j: number): { chain: boolean; release: boolean } {
  let chain = false;
  let release = false;
  if (kwAt(v, j) === "WORK") j++;
  if (kwAt(v, j) === "AND") {
    if (kwAt(v, j + 1) === "NO" && kwAt(v, j + 2) === "CHAIN") j += 3;
    else if (kwAt(v, j + 1) === "CHAIN") {
      chain = true;
      j += 2;
    }
  }
  if (kwAt(v, j) === "NO" && kwAt(v, j + 1) === "RELEASE") j += 2;
  else if (kwAt(v, j) === "RELEASE") {
    release = true;
    j++;
  }
  if (j < v.to) b.guessed();
  return { chain, release };
}

export function commitStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("commit");
  b.transaction = { kind: "commit", ...chainRelease(v, b, i + 1) };
}

/** ROLLBACK [WORK] [TO [SAVEPOINT] name] | ROLLBACK [WORK] [AND [NO] CHAIN] [[NO] RELEASE] */
export function rollbackStatement(v: View, b: FactsBuilder, i: number): void {
  let j = i + 1;
  if (kwAt(v, j) === "WORK") j++;
  if (kwAt(v, j) === "TO") {
    j++;
    if (kwAt(v, j) === "SAVEPOINT") j++;
    b.setKind("rollback_to_savepoint");
    b.transaction = { kind: "rollback_to_savepoint", name: savepointName(v, b, j) };
    return;
  }
  b.setKind("rollback");
  b.transaction = { kind: "rollback", ...chainRelease(v, b, i + 1) };
}

function savepointName(v: View, b: FactsBuilder, j: number): string {
  const name = nameAt(v, j);
  if (name === null) {
    b.guessed();
    return "";
  }
  return name.toLowerCase();
}

export function savepointStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("savepoint");
  b.transaction = { kind: "savepoint", name: savepointName(v, b, i + 1) };
}

/** RELEASE SAVEPOINT name */
export function releaseStatement(v: View, b: FactsBuilder, i: number): void {
  if (kwAt(v, i + 1) !== "SAVEPOINT") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("release_savepoint");
  b.transaction = { kind: "release_savepoint", name: savepointName(v, b, i + 2) };
}

/** XA START | BEGIN | END | PREPARE | COMMIT | ROLLBACK | RECOVER */
export function xaStatement(v: View, b: FactsBuilder, i: number): void {
  b.setKind("xa");
  const k = kwAt(v, i + 1);
  const action =
    k === "START" || k === "BEGIN"
      ? "start"
      : k === "END"
        ? "end"
        : k === "PREPARE"
          ? "prepare"
          : k === "COMMIT"
            ? "commit"
            : k === "ROLLBACK"
              ? "rollback"
              : k === "RECOVER"
                ? "recover"
                : null;
  if (action === null) {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.transaction = { kind: "xa", action };
}

/** LOCK TABLE[S] t [[AS] a] READ [LOCAL] | [LOW_PRIORITY] WRITE [CONCURRENT] [, …] ; BACKUP-style LOCK is separate. */
export function lockStatement(v: View, b: FactsBuilder, i: number): void {
  const k = kwAt(v, i + 1);
  if (k !== "TABLES" && k !== "TABLE") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("lock_tables");
  b.sessionEffects.push({ kind: "lock_tables" });
  let j = i + 2;
  while (j < v.to) {
    const name = readTableName(v, j);
    if (name === null) {
      b.guessed();
      return;
    }
    j = name.next;
    if (kwAt(v, j) === "AS") j += 2;
    else if (
      nameAt(v, j) !== null &&
      kwAt(v, j) !== "READ" &&
      kwAt(v, j) !== "WRITE" &&
      kwAt(v, j) !== "LOW_PRIORITY"
    )
      j++;
    let written = false;
    while (j < v.to && !isOp(v, j, C.comma)) {
      if (kwAt(v, j) === "WRITE") written = true;
      j++;
    }
    b.addTable(name.ref, written);
    j++;
  }
}

/** UNLOCK TABLE[S] */
export function unlockStatement(v: View, b: FactsBuilder, i: number): void {
  const k = kwAt(v, i + 1);
  if (k !== "TABLES" && k !== "TABLE") {
    b.setKind("unknown");
    b.parse = "unknown";
    return;
  }
  b.setKind("unlock_tables");
  b.sessionEffects.push({ kind: "unlock_tables" });
}
