/** Checks actions: pool names exist, deny codes are valid, respond rows match their columns. */
import type { ActionNode, RespondCell as CellNode, Name, Span } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import {
  type Action,
  DEFAULT_DENY_CODE,
  DEFAULT_DENY_SQLSTATE,
  type RespondCell,
  type RouteTarget,
  type StatementTimeout,
} from "../ir.js";
import { checkRegex } from "./conditions.js";
import { suggestion } from "./did-you-mean.js";
import { lowerTimeout } from "./timeouts.js";

const SESSION_CELLS = ["user", "schema", "client_address"] as const;

export function lowerAction(
  node: ActionNode,
  poolNames: readonly string[],
  diagnostics: Diagnostic[],
): Action | undefined {
  const tags = node.modifiers.flatMap((m) => (m.kind === "tag" ? [m.value.value] : []));
  const logMod = node.modifiers.find((m) => m.kind === "log");
  const log = logMod?.kind === "log" ? { message: logMod.message?.value ?? null } : null;
  const base = node.base;
  const timeout = actionTimeout(node, diagnostics);
  if (timeout === "invalid") return undefined;
  // spread into each action: absent when not written, so policies without it keep their hash
  const limit = timeout === undefined ? {} : { timeout };
  const target = (name: Name): RouteTarget | undefined => {
    if (name.text === "stay") return { kind: "stay" };
    if (poolNames.includes(name.text)) return { kind: "pool", pool: name.text };
    diagnostics.push({
      code: "SLU204",
      severity: "error",
      message: `unknown pool \`${name.text}\``,
      span: name.span,
      hint: `${suggestion(name.text, poolNames, "pools")} (or \`stay\` for the previous statement's connection)`,
    });
    return undefined;
  };
  switch (base.kind) {
    case "route": {
      const t = target(base.target);
      return t && { kind: "route", target: t, tags, log, ...limit };
    }
    case "deny": {
      const code = base.code?.value ?? DEFAULT_DENY_CODE;
      const sqlstate = base.sqlstate?.value ?? DEFAULT_DENY_SQLSTATE;
      let ok = true;
      if (base.code && (!Number.isInteger(code) || code < 1000 || code > 65535)) {
        diagnostics.push({
          code: "SLU207",
          severity: "error",
          message: `error code ${base.code.text} is outside 1000–65535`,
          span: base.code.span,
          hint: "MySQL error numbers are whole numbers 1000–65535, e.g. 1290 (ER_OPTION_PREVENTS_STATEMENT)",
        });
        ok = false;
      }
      if (base.sqlstate && !/^[0-9A-Z]{5}$/.test(sqlstate)) {
        diagnostics.push({
          code: "SLU207",
          severity: "error",
          message: `SQLSTATE "${sqlstate}" is not five digits or capital letters`,
          span: base.sqlstate.span,
          hint: 'e.g. sqlstate "HY000" (general error) or "42000" (access or syntax)',
        });
        ok = false;
      }
      return ok ? { kind: "deny", code, sqlstate, message: base.message.value, tags, log } : undefined;
    }
    case "rewrite": {
      const t = target(base.target);
      if (base.from.kind === "regex") {
        const p = checkRegex(base.from, diagnostics);
        if (p?.kind !== "regex" || !t) return undefined;
        return {
          kind: "rewrite",
          rewrite: { kind: "regex", source: p.source, flags: p.flags, replacement: base.to.value },
          target: t,
          tags,
          log,
          ...limit,
        };
      }
      if (!t) return undefined;
      return {
        kind: "rewrite",
        rewrite: { kind: "digest", template: base.from.template.value, replacement: base.to.value },
        target: t,
        tags,
        log,
        ...limit,
      };
    }
    case "respond-expand": {
      const t = target(base.target);
      return (
        t && {
          kind: "respond",
          response: { kind: "expand", sql: base.sql.value, target: t },
          tags,
          log,
          ...limit,
        }
      );
    }
    case "respond-rows": {
      let ok = true;
      const rows = base.rows.map((row) => {
        if (row.length !== base.columns.length) {
          diagnostics.push({
            code: "SLU212",
            severity: "error",
            message: `row has ${row.length} value${row.length === 1 ? "" : "s"} but there are ${base.columns.length} columns`,
            span: row[0]?.span ?? base.span,
            hint: "give one value per column, null for none",
          });
          ok = false;
        }
        return row.map((cell) => lowerCell(cell, diagnostics, () => (ok = false)));
      });
      return ok
        ? {
            kind: "respond",
            response: { kind: "rows", columns: base.columns.map((c) => c.value), rows },
            tags,
            log,
          }
        : undefined;
    }
  }
}

/**
 * The action's `timeout`, if written once, with a fitting value and on an action that sends the
 * statement to a server; "invalid" after reporting SLU215 otherwise.
 */
function actionTimeout(
  node: ActionNode,
  diagnostics: Diagnostic[],
): StatementTimeout | undefined | "invalid" {
  const written = node.modifiers.filter((m) => m.kind === "timeout");
  const first = written[0];
  if (first === undefined) return undefined;
  const report = (span: Span, message: string, hint: string): "invalid" => {
    diagnostics.push({ code: "SLU215", severity: "error", message, span, hint });
    return "invalid";
  };
  const second = written[1];
  if (second !== undefined) return report(second.span, "the action has two timeouts", "keep one of them");
  if (node.base.kind === "deny" || node.base.kind === "respond-rows")
    return report(
      first.span,
      `\`${node.base.kind === "deny" ? "deny" : "respond columns"}\` answers without a server: there is no statement to time out`,
      "put the timeout on a rule that routes (route, rewrite … then route, respond expand … then route)",
    );
  const t = lowerTimeout(first.value, "timeout");
  return t.kind === "problem" ? report(first.value.span, t.message, t.hint) : t;
}

function lowerCell(cell: CellNode, diagnostics: Diagnostic[], fail: () => void): RespondCell {
  switch (cell.kind) {
    case "string":
      return { kind: "value", value: cell.value };
    case "number":
      return { kind: "value", value: cell.value };
    case "null":
      return { kind: "value", value: null };
    case "word": {
      const fact = SESSION_CELLS.find((s) => s === cell.value);
      if (fact) return { kind: "session", fact };
      diagnostics.push({
        code: "SLU201",
        severity: "error",
        message: `\`${cell.value}\` is not a session value a response can show`,
        span: cell.span,
        hint: `${suggestion(cell.value, SESSION_CELLS, "session values")}; quote it for text: "${cell.value}"`,
      });
      fail();
      return { kind: "value", value: null };
    }
  }
}
