/** Checks pool declarations: known properties with well-typed values, role xor servers, fallbacks. */
import type { Item, PoolProperty, PropValue } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Consistency, PoolSelect, PoolSpec, StatementTimeout } from "../ir.js";
import {
  BALANCE_METHODS,
  type BalanceMethod,
  CONSISTENCY_MODES,
  POOL_PROPERTIES,
  POOL_ROLES,
  type PoolRole,
} from "../vocabulary.js";
import { suggestion } from "./did-you-mean.js";
import { lowerTimeout } from "./timeouts.js";

type PoolItem = Extract<Item, { kind: "pool" }>;

export function checkPool(item: PoolItem, diagnostics: Diagnostic[]): PoolSpec | undefined {
  const seen = new Map<string, PoolProperty>();
  let select: PoolSelect | undefined;
  let roleProp: PoolProperty | undefined;
  let serversProp: PoolProperty | undefined;
  let balance: BalanceMethod = "least-active";
  let maxLagMs: number | null = null;
  let fallback: PoolSpec["fallback"] = { kind: "error" };
  let consistency: Consistency = { kind: "none" };
  let statementTimeout: StatementTimeout | undefined;
  let ok = true;
  const bad = (prop: PoolProperty | PropValue, message: string, hint: string): void => {
    diagnostics.push({ code: "SLU209", severity: "error", message, span: prop.span, hint });
    ok = false;
  };
  for (const prop of item.properties) {
    const name = prop.name.text;
    if (!(POOL_PROPERTIES as readonly string[]).includes(name)) {
      diagnostics.push({
        code: "SLU208",
        severity: "error",
        message: `unknown pool property \`${name}\``,
        span: prop.name.span,
        hint: suggestion(name, POOL_PROPERTIES, "properties"),
      });
      ok = false;
      continue;
    }
    const earlier = seen.get(name);
    if (earlier) {
      bad(prop, `\`${name}\` is set twice in pool \`${item.name.text}\``, "keep one of them");
      continue;
    }
    seen.set(name, prop);
    const v = prop.value;
    switch (name) {
      case "role":
        roleProp = prop;
        if (v.kind === "word" && v.duration === null && (POOL_ROLES as readonly string[]).includes(v.value))
          select = { kind: "role", role: v.value as PoolRole };
        else
          bad(
            v,
            "`role` is primary, replica or any",
            `write role = replica (${suggestion(word(v), POOL_ROLES, "roles")})`,
          );
        break;
      case "servers": {
        serversProp = prop;
        const items = v.kind === "prop-list" ? v.items : [v];
        const servers: { name: string; weight: number }[] = [];
        for (const s of items) {
          if (s.kind !== "string") {
            bad(s, "`servers` lists server names as strings", 'write servers = ["db1", "db2" weight 2]');
            continue;
          }
          const weight = s.weight?.value ?? 1;
          if (!Number.isInteger(weight) || weight < 1)
            bad(s, "a server weight is a whole number ≥ 1", 'e.g. "db2" weight 2');
          servers.push({ name: s.value, weight });
        }
        if (servers.length === 0) bad(v, "`servers` is empty", "name at least one server");
        select = { kind: "servers", servers };
        if (items.some((s) => s.kind === "string" && s.weight !== null)) {
          const b = item.properties.find((p) => p.name.text === "balance");
          if (!(b?.value.kind === "word" && b.value.value === "weighted")) {
            diagnostics.push({
              code: "SLU214",
              severity: "warning",
              message: `pool \`${item.name.text}\` gives server weights but does not balance by weight`,
              span: prop.span,
              hint: "add balance = weighted, or drop the weights",
            });
          }
        }
        break;
      }
      case "balance":
        if (
          v.kind === "word" &&
          v.duration === null &&
          (BALANCE_METHODS as readonly string[]).includes(v.value)
        )
          balance = v.value as BalanceMethod;
        else
          bad(
            v,
            `\`balance\` is one of ${BALANCE_METHODS.join(", ")}`,
            suggestion(word(v), BALANCE_METHODS, "methods"),
          );
        break;
      case "max_lag":
        if (v.kind === "duration") maxLagMs = v.duration.ms;
        else bad(v, "`max_lag` is a duration", "write max_lag = 2s (units: ms, s, m, h)");
        break;
      case "fallback":
        if (v.kind === "word" && v.duration === null)
          fallback = v.value === "error" ? { kind: "error" } : { kind: "pool", pool: v.value };
        else bad(v, "`fallback` is another pool's name or `error`", "write fallback = primary");
        break;
      case "consistency":
        if (v.kind === "word" && v.value === "primary-after-write") {
          if (v.duration === null)
            bad(v, "primary-after-write needs a duration", "write consistency = primary-after-write 5s");
          else consistency = { kind: "primary-after-write", windowMs: v.duration.ms };
        } else if (v.kind === "word" && v.duration === null && (v.value === "none" || v.value === "causal")) {
          consistency = { kind: v.value };
        } else
          bad(
            v,
            "`consistency` is none, causal or primary-after-write <duration>",
            suggestion(word(v), CONSISTENCY_MODES, "modes"),
          );
        break;
      case "statement_timeout": {
        const t = lowerTimeout(v, "statement_timeout =");
        if (t.kind === "problem") bad(v, t.message, t.hint);
        else statementTimeout = t;
        break;
      }
    }
  }
  if ((roleProp === undefined) === (serversProp === undefined)) {
    diagnostics.push({
      code: "SLU210",
      severity: "error",
      message: `pool \`${item.name.text}\` needs exactly one of \`role\` and \`servers\``,
      span: roleProp && serversProp ? serversProp.span : item.name.span,
      hint: 'role = primary | replica | any takes servers from the monitor; servers = ["db1"] names them',
    });
    ok = false;
  }
  // Even with errors, a pool whose servers are known is kept so its fallback and uses are checked.
  if (select === undefined || (!ok && roleProp === undefined && serversProp === undefined)) return undefined;
  return {
    name: item.name.text,
    select,
    balance,
    maxLagMs,
    fallback,
    consistency,
    // absent rather than undefined, so policies without it keep their hash
    ...(statementTimeout === undefined ? {} : { statementTimeout }),
    span: item.name.span,
  };
}

function word(v: PropValue): string {
  return v.kind === "word" ? v.value : "";
}

/** Fallback targets exist and never loop back. */
export function checkFallbacks(
  pools: readonly PoolSpec[],
  items: readonly PoolItem[],
  diagnostics: Diagnostic[],
): void {
  const byName = new Map(pools.map((p) => [p.name, p]));
  const names = [...byName.keys()];
  for (const pool of pools) {
    if (pool.fallback.kind !== "pool") continue;
    const prop = items
      .find((i) => i.name.text === pool.name)
      ?.properties.find((p) => p.name.text === "fallback");
    const span = prop?.value.span ?? pool.span;
    if (!byName.has(pool.fallback.pool)) {
      diagnostics.push({
        code: "SLU204",
        severity: "error",
        message: `unknown pool \`${pool.fallback.pool}\``,
        span,
        hint: suggestion(pool.fallback.pool, names, "pools"),
      });
      continue;
    }
    const chain = [pool.name];
    let next: string | undefined = pool.fallback.pool;
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      const p = byName.get(next);
      next = p?.fallback.kind === "pool" ? p.fallback.pool : undefined;
    }
    if (next === pool.name) {
      diagnostics.push({
        code: "SLU211",
        severity: "error",
        message: `fallback cycle: ${[...chain, next].join(" → ")}`,
        span,
        hint: "end the chain with a pool whose fallback is `error`",
      });
    }
  }
}
