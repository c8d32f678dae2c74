/** Checks a statement timeout, written as a rule's `timeout …` or a pool's `statement_timeout = …`. */
import type { PropValue, TimeoutValue } from "../ast.js";
import type { StatementTimeout } from "../ir.js";

/**
 * The longest timeout accepted: anything longer is almost surely a unit slip (`timeout 30h` for
 * 30 s), and Node's timers cannot wait past ~24.8 days anyway.
 */
export const MAX_STATEMENT_TIMEOUT_MS = 24 * 3_600_000;

export interface TimeoutProblem {
  readonly kind: "problem";
  readonly message: string;
  readonly hint: string;
}

/** `prefix` is how the user writes the setting, for the hint: `timeout` or `statement_timeout =`. */
export function lowerTimeout(v: PropValue | TimeoutValue, prefix: string): StatementTimeout | TimeoutProblem {
  const problem = (message: string, hint: string): TimeoutProblem => ({ kind: "problem", message, hint });
  const either = `${prefix} 5s (units: ms, s, m, h), or ${prefix} none for no limit`;
  switch (v.kind) {
    case "duration": {
      const { ms, text } = v.duration;
      if (ms <= 0)
        return problem(
          "a timeout of 0 would interrupt every statement",
          `write ${prefix} none to turn the limit off`,
        );
      if (ms > MAX_STATEMENT_TIMEOUT_MS)
        return problem(`a timeout of ${text} is longer than the longest allowed, 24h`, `write ${either}`);
      return { kind: "after", ms };
    }
    case "number":
      return problem(
        `the timeout \`${v.text}\` has no unit`,
        `write ${prefix} ${v.text}s or ${prefix} ${v.text}ms`,
      );
    case "word": {
      const extra = "duration" in v && v.duration !== null ? ` ${v.duration.text}` : "";
      if (v.value === "none" && extra === "") return { kind: "none" };
      return problem(
        `\`${v.value}${extra}\` is not a timeout: a timeout is a duration or \`none\``,
        `write ${either}`,
      );
    }
    default:
      return problem("a timeout is a duration or `none`", `write ${either}`);
  }
}
