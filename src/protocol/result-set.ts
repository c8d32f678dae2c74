import { Capability } from "./constants.js";
import { encodeEof, encodeTerminator } from "./generic-response.js";
import { PayloadBuilder } from "./payload-builder.js";

/**
 * Result sets Sluice makes itself (admin commands, policy `respond` actions): every column is a
 * VAR_STRING in utf8mb4, every value a string or NULL. Spec: "Text Resultset" and "Binary
 * Resultset" (COM_STMT_EXECUTE answers use binary rows).
 */
export interface LocalResultSet {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | null)[])[];
}

const VAR_STRING = 0xfd;
const UTF8MB4_GENERAL_CI = 45;

function columnDefinition(name: string): Buffer {
  return new PayloadBuilder()
    .lenencString("def") // catalog
    .lenencString("") // schema
    .lenencString("") // table alias
    .lenencString("") // table
    .lenencString(name) // column alias
    .lenencString(name) // column
    .lenenc(0x0c) // length of the fixed fields
    .u16(UTF8MB4_GENERAL_CI)
    .u32(1024 * 4) // column length
    .u8(VAR_STRING)
    .u16(0) // flags
    .u8(0) // decimals
    .u16(0) // filler
    .build();
}

function cellText(value: string | number | null): Buffer | null {
  return value === null ? null : Buffer.from(String(value), "utf8");
}

function textRow(row: readonly (string | number | null)[]): Buffer {
  const b = new PayloadBuilder();
  for (const value of row) {
    const text = cellText(value);
    if (text === null) b.u8(0xfb);
    else b.lenencBytes(text);
  }
  return b.build();
}

function binaryRow(row: readonly (string | number | null)[], columns: number): Buffer {
  // NULL bitmap with an offset of 2 bits, as binary rows have
  const bitmap = Buffer.alloc(Math.floor((columns + 7 + 2) / 8));
  const b = new PayloadBuilder().u8(0x00);
  const values = new PayloadBuilder();
  for (let i = 0; i < columns; i++) {
    const text = cellText(row[i] ?? null);
    if (text === null) {
      const bit = i + 2;
      bitmap[bit >> 3] = (bitmap[bit >> 3] ?? 0) | (1 << (bit & 7));
    } else {
      values.lenencBytes(text);
    }
  }
  return b.bytes(bitmap).bytes(values.build()).build();
}

/**
 * The payloads of a complete result set: column count, column definitions, (EOF unless the
 * client negotiated DEPRECATE_EOF), rows, terminator.
 */
export function encodeResultSet(
  result: LocalResultSet,
  options: { readonly capabilities: number; readonly status: number; readonly binary?: boolean },
): Buffer[] {
  const deprecateEof = (options.capabilities & Capability.DeprecateEof) !== 0;
  const payloads: Buffer[] = [new PayloadBuilder().lenenc(result.columns.length).build()];
  for (const name of result.columns) payloads.push(columnDefinition(name));
  if (!deprecateEof) payloads.push(encodeEof(options.status));
  for (const row of result.rows) {
    payloads.push(options.binary === true ? binaryRow(row, result.columns.length) : textRow(row));
  }
  payloads.push(encodeTerminator(options.capabilities, options.status));
  return payloads;
}

const BINARY_COLLATION = 63;
const TYPE_LONG = 0x03;
/** NOT_NULL | UNSIGNED | BINARY */
const UNSIGNED_NOT_NULL = 0x0001 | 0x0020 | 0x0080;

/**
 * One row, one column holding an unsigned integer that a function like CONNECTION_ID() returns,
 * with the column definition MariaDB sends for it (INT UNSIGNED NOT NULL, display width 10, no
 * original name), as a text result set or binary-protocol rows.
 */
export function encodeUnsignedIntResult(
  name: string,
  value: number,
  options: { readonly capabilities: number; readonly status: number; readonly binary?: boolean },
): Buffer[] {
  const deprecateEof = (options.capabilities & Capability.DeprecateEof) !== 0;
  const definition = new PayloadBuilder()
    .lenencString("def")
    .lenencString("")
    .lenencString("")
    .lenencString("")
    .lenencString(name)
    .lenencString("")
    .lenenc(0x0c)
    .u16(BINARY_COLLATION)
    .u32(10)
    .u8(TYPE_LONG)
    .u16(UNSIGNED_NOT_NULL)
    .u8(0)
    .u16(0)
    .build();
  const payloads = [new PayloadBuilder().lenenc(1).build(), definition];
  if (!deprecateEof) payloads.push(encodeEof(options.status));
  // a binary row: header, NULL bitmap (offset 2: one byte for one column), the value as 4 bytes
  payloads.push(
    options.binary === true
      ? new PayloadBuilder().u8(0x00).u8(0x00).u32(value).build()
      : new PayloadBuilder().lenencBytes(Buffer.from(String(value), "latin1")).build(),
  );
  payloads.push(encodeTerminator(options.capabilities, options.status));
  return payloads;
}
