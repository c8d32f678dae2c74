import { describe, expect, it } from "vitest";
import { codeFrame } from "../../src/cli/render/code-frame.js";
import { renderGithub } from "../../src/cli/render/github.js";
import { renderSarif } from "../../src/cli/render/sarif.js";
import { renderText } from "../../src/cli/render/text.js";
import type { Diagnostic } from "../../src/policy/diagnostics.js";
import { diagnose, POOLS } from "./support/compile.js";

const text = `${POOLS}rule r when kind = selct -> route primary\ndefault -> route primary\n`;
const diagnostics: Diagnostic[] = diagnose(text).filter((d) => d.code === "SLU202");

describe("renderers", () => {
  it("code frame puts a caret under exactly the span", () => {
    const d = diagnostics[0]!;
    const frame = codeFrame(text, d.span).split("\n");
    const sourceLine = frame.find((l) => l.includes("selct"))!;
    const caretLine = frame[frame.indexOf(sourceLine) + 1]!;
    expect(caretLine.indexOf("^")).toBe(sourceLine.indexOf("selct"));
    expect(caretLine.trim().endsWith("^^^^^")).toBe(true);
  });

  it("text has the code, position, frame and help", () => {
    const out = renderText(diagnostics, new Map([["t.policy", text]]));
    expect(out).toMatch(/^error\[SLU202\]: `selct` is not a value of `kind`\n {2}--> t\.policy:\d+:\d+\n/);
    expect(out).toContain("= help: did you mean `select`?");
  });

  it("SARIF 2.1.0 has one rule per code and a located result", () => {
    const log = JSON.parse(renderSarif(diagnostics, "0.1.0"));
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(["SLU202"]);
    const result = run.results[0];
    expect(result.ruleId).toBe("SLU202");
    expect(result.level).toBe("error");
    expect(result.locations[0].physicalLocation.region.startLine).toBe(diagnostics[0]!.span.line);
  });

  it("github annotations escape newlines and separators", () => {
    const d: Diagnostic = {
      ...diagnostics[0]!,
      message: "a, b: c\nd",
      span: { ...diagnostics[0]!.span, file: "x,y.policy" },
    };
    const out = renderGithub([d]);
    expect(out.startsWith("::error file=x%2Cy.policy,line=")).toBe(true);
    expect(out).toContain("a, b: c%0Ad");
    expect(out.trimEnd().split("\n")).toHaveLength(1);
  });
});
