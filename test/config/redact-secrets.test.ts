import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { formatConfigDiagnostic } from "../../src/config/diagnostic.js";
import { redactSecrets } from "../../src/config/redact-secrets.js";
import { MINIMAL, parse } from "./fake-io.js";

const report = (text: string): string => {
  const r = parse(text);
  return r.kind === "invalid" ? r.diagnostics.map(formatConfigDiagnostic).join("\n") : "";
};

describe("config diagnostics never quote a secret written in the file", () => {
  it("masks an inline password in the code frame, keeping the key, the line and the carets", () => {
    const text = MINIMAL.replace("    password_env: APP_PW", '    password: "hunter2-inline"');
    const shown = report(text);
    expect(shown).toContain("CFG002"); // `password` is not a key Sluice knows…
    expect(shown).not.toContain("hunter2-inline"); // …and its value is not quoted
    const line = text.split("\n").findIndex((l) => l.includes("password:")) + 1;
    expect(shown).toContain(`> ${line} |     password: ****************`);
  });

  it("masks values under misspelt, nested, flow and block-scalar secret keys, and password_hash", () => {
    const text = [
      "users:",
      "  - { name: a, pasword: flow-secret-1 }",
      "  - name: b",
      "    password_hash: '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'",
      "    api_token: |",
      "      block-secret-2",
      "    password_env: KEEP_THIS_NAME",
      "    credentials: { token: nested-secret-3 }",
      "",
    ].join("\n");
    const doc = parseDocument(text, { lineCounter: new LineCounter() });
    const shown = redactSecrets(text, doc);
    for (const secret of ["flow-secret-1", "2470C0C06DEE42FD1618", "block-secret-2", "nested-secret-3"])
      expect(shown).not.toContain(secret);
    expect(shown).toContain("password_env: KEEP_THIS_NAME");
    expect(shown).toContain("name: b");
    expect(shown.length).toBe(text.length);
    expect(shown.split("\n").map((l) => l.length)).toEqual(text.split("\n").map((l) => l.length));
  });

  it("masks a secret line even when the YAML does not parse", () => {
    const text = `${MINIMAL}extra:\n  password: broken-secret-4\n  - x\n`;
    const shown = report(text);
    expect(shown).toContain("CFG001");
    expect(shown).toContain("|   password: ***************"); // the frame shows the line, masked
    expect(shown).not.toContain("broken-secret-4");
  });
});
