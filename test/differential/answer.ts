import type mysql from "mysql2/promise";

/**
 * What a client sees of one statement, in a form that compares with `isDeepStrictEqual` and
 * prints as JSON: an error (code and message), a result set (column names and types, rows as
 * arrays) or an OK packet (affected rows, insert id, warnings, status flags, info, session-track
 * changes). Names of the side's own database and table are replaced by `db` and `t_N`, so the
 * two sides' answers are comparable.
 */
export type Answer =
  | { readonly error: { readonly errno: number; readonly message: string } }
  | {
      readonly columns: readonly { readonly name: string; readonly type: number }[];
      readonly rows: readonly unknown[][];
    }
  | {
      readonly ok: {
        readonly affectedRows: number;
        readonly insertId: number | string;
        readonly warnings: number;
        readonly status: number;
        readonly info: string;
        readonly changes: unknown;
      };
    };

/** mysql2 query options every side uses: rows as arrays (duplicate names), no Date objects. */
const OPTIONS = { rowsAsArray: true, timeout: 30_000 } as const;

export interface Names {
  readonly db: string;
  readonly table: string;
}

export async function answerOf(
  c: mysql.Connection,
  sql: string,
  binary: readonly (number | string | null)[] | undefined,
  names: Names,
): Promise<Answer> {
  try {
    const [result, fields] =
      binary === undefined
        ? await c.query({ sql, ...OPTIONS })
        : await c.execute({ sql, ...OPTIONS }, binary as (number | string | null)[]);
    return normalise(shape(result, fields), names);
  } catch (e) {
    const err = e as { errno?: number; code?: string; message?: string };
    // a client-side failure (closed connection, timeout) has no errno: keep its code
    const message = err.errno === undefined ? `${err.code ?? "client"}: ${err.message}` : (err.message ?? "");
    return normalise({ error: { errno: err.errno ?? -1, message } }, names);
  }
}

function shape(result: unknown, fields: readonly mysql.FieldPacket[] | undefined): Answer {
  if (Array.isArray(result)) {
    return {
      columns: (fields ?? []).map((f) => ({ name: f.name, type: f.columnType ?? -1 })),
      rows: result as unknown[][],
    };
  }
  const ok = result as mysql.ResultSetHeader & { stateChanges?: unknown };
  return {
    ok: {
      affectedRows: ok.affectedRows,
      insertId: ok.insertId,
      warnings: ok.warningStatus,
      status: ok.serverStatus ?? -1,
      info: ok.info ?? "",
      changes: ok.stateChanges ?? null,
    },
  };
}

function normalise(answer: Answer, names: Names): Answer {
  const text = JSON.stringify(answer, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  )
    .replaceAll(new RegExp(`\\b${names.db}\\b`, "g"), "db")
    .replaceAll(new RegExp(`\\b${names.table}\\b`, "g"), "t_N");
  return JSON.parse(text) as Answer;
}
