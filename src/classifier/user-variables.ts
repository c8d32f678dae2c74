import { userVarName } from "./expressions.js";
import type { StatementKind } from "./facts.js";
import { C, Op, Tok } from "./tokens.js";
import { isOp, kindAt, kwAt, textAt, type View } from "./view.js";

/** Statements that store a stored program: its body runs later, not as part of this statement. */
const STORES_BODY = new Set<StatementKind>([
  "create_procedure",
  "create_function",
  "create_trigger",
  "create_event",
  "alter_event",
]);

/**
 * The user variables a statement reads: every `@name` except the targets of an assignment
 * (`@x := …`, `SET @x = …`, `SELECT … INTO @x, @y`, `GET DIAGNOSTICS @x = …`). A token pass over
 * the whole statement, not the recognisers', so a read is never missed where no recogniser looks
 * (EXECUTE … USING @a, PREPARE … FROM @sql, CALL p(@a)): a read too many only keeps a statement
 * where its values are. `@@system` variables are separate tokens (Tok.SysVar) and never count. A
 * CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT reads none: its body's run when it is called.
 */
export function userVariableReads(v: View, kind: StatementKind): string[] {
  if (STORES_BODY.has(kind)) return [];
  const names: string[] = [];
  let depth = 0;
  // inside `INTO @a, @b, local_var` of a SELECT
  let intoList = false;
  for (let i = v.from; i < v.to; i++) {
    const k = kindAt(v, i);
    if (k === Tok.Op) {
      if (isOp(v, i, C.lparen)) depth++;
      else if (isOp(v, i, C.rparen)) depth--;
      if (!isOp(v, i, C.comma)) intoList = false;
      continue;
    }
    if (kwAt(v, i) === "INTO") {
      intoList = true;
      continue;
    }
    if (k !== Tok.UserVar) {
      if (k !== Tok.Word || !isOp(v, i - 1, C.comma)) intoList = false;
      continue;
    }
    if (intoList || isOp(v, i + 1, Op.Assign) || setTarget(v, i, kind, depth)) continue;
    const name = userVarName(textAt(v, i));
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * `SET @x = …` / `SET a = 1, @x = …`: the left side of one of SET's assignments; `GET DIAGNOSTICS
 * @x = NUMBER`: every `@x =` is a target.
 */
function setTarget(v: View, i: number, kind: StatementKind, depth: number): boolean {
  if (depth !== 0 || !isOp(v, i + 1, C.eq)) return false;
  if (kind === "get_diagnostics") return true;
  if (kind !== "set") return false;
  return kwAt(v, i - 1) === "SET" || isOp(v, i - 1, C.comma);
}
