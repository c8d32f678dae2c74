import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../../src/dry-run/readers/detect.js";
import { FIXTURES } from "./support/collect.js";

const firstLines = (name: string) => readFileSync(`${FIXTURES}${name}`, "utf8").split("\n").slice(0, 64);

describe("input format detection", () => {
  it("tells real general and slow logs apart although they share the server banner", () => {
    expect(detectFormat(firstLines("mariadb-general.log"))).toBe("general");
    expect(detectFormat(firstLines("mariadb-slow.log"))).toBe("slow");
  });

  it("recognises JSON lines, SQL, MySQL 8 logs and banner-only logs", () => {
    expect(detectFormat(["", '{"sql":"SELECT 1"}'])).toBe("jsonl");
    expect(detectFormat(["-- schema", "CREATE TABLE t (id INT);"])).toBe("sql");
    expect(detectFormat(["DELIMITER //", "CREATE PROCEDURE p() BEGIN SELECT 1; END //"])).toBe("sql");
    expect(detectFormat(["2024-03-01T10:00:00.123456Z\t   12 Query\tSELECT 1"])).toBe("general");
    expect(detectFormat(["# Time: 2024-03-01T10:00:00.123456Z", "# User@Host: a[a] @ h []"])).toBe("slow");
    expect(
      detectFormat(["/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-log (Debian 12). started with:"]),
    ).toBe("general");
    expect(detectFormat([])).toBe("sql");
  });
});
