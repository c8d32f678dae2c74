import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Command } from "../../src/protocol/constants.js";
import { describeCommand, sessionActivity } from "../../src/session/session-view.js";

const query = (sql: string) => Buffer.concat([Buffer.from([Command.Query]), Buffer.from(sql, "utf8")]);

describe("the running command in SHOW SESSIONS", () => {
  it("shows a query's shape with its literals replaced", () => {
    expect(describeCommand(query("SELECT * FROM users WHERE email = 'a@b.c' AND id > 42"))).toBe(
      "SELECT * FROM users WHERE email = ? AND id > ?",
    );
  });

  it("never shows a literal, however long the statement (it is cut after redaction)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9@.]{3,12}$/),
        fc.integer({ min: 0, max: 3000 }),
        (secret, pad) => {
          const shown = describeCommand(query(`SELECT ${"x, ".repeat(pad)}y FROM t WHERE a = '${secret}'`));
          expect(shown).not.toContain(secret);
          expect(shown.length).toBeLessThanOrEqual(257);
        },
      ),
    );
  });

  it("names other commands", () => {
    expect(describeCommand(Buffer.from([Command.StmtExecute, 1, 0, 0, 0]))).toBe("COM_STMT_EXECUTE");
    expect(describeCommand(Buffer.from([Command.InitDb]))).toBe("COM_INIT_DB");
    expect(describeCommand(Buffer.from([0x42]))).toBe("COM_0x42");
  });

  it("says what the session does, most telling first", () => {
    const s = (loggedIn: boolean, busy: boolean, inTransaction: boolean) =>
      sessionActivity({ loggedIn, busy, inTransaction });
    expect([
      s(false, false, false),
      s(true, true, true),
      s(true, false, true),
      s(true, false, false),
    ]).toEqual(["login", "running", "in transaction", "idle"]);
  });
});
