import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One admin statement through the real `mariadb` CLI (batch mode: tab-separated, NULL as "NULL"). */
export function adminCli(port: number, sql: string) {
  return run("mariadb", ["-h127.0.0.1", `-P${port}`, "-uadmin", "-padmin-secret", "--batch", "-e", sql]);
}

export type AdminRow = Record<string, string | null>;

/** Runs a SHOW through the CLI and returns its rows keyed by column name. */
export async function adminRows(port: number, sql: string): Promise<AdminRow[]> {
  const { stdout } = await adminCli(port, sql);
  const lines = stdout.split("\n").filter((l) => l !== "");
  const header = lines[0]?.split("\t") ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(header.map((h, i) => [h, cells[i] === "NULL" ? null : (cells[i] ?? null)]));
  });
}

/** Polls `probe` until it returns a value (not undefined), or fails with the last reason. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
