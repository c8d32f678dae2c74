import { describe, expect, it } from "vitest";
import { formatConfigDiagnostic } from "../../src/config/diagnostic.js";
import { baseEnv, MINIMAL, parse, problems } from "./fake-io.js";

describe("loadConfig diagnostics", () => {
  it("accepts the minimal config and fills defaults", () => {
    const r = parse(MINIMAL);
    expect(problems(r)).toEqual([]);
    if (r.kind !== "ok") return;
    expect(r.config.listeners[0]).toEqual({
      name: "0.0.0.0:3306",
      host: "0.0.0.0",
      port: 3306,
      tls: null,
      requireTls: false,
    });
    expect(r.config.servers[0]).toEqual({
      name: "db1",
      host: "127.0.0.1",
      port: 3306,
      role: "auto",
      weight: 1,
      tls: { mode: "disabled" },
    });
    expect(r.config.pools.maxPerServer).toBe(100);
    expect(r.config.monitor.intervalMs).toBe(1000);
    expect(r.config.monitor.failover).toBe("manual");
    expect(r.config.policy.files).toEqual(["/cfg/main.policy"]);
    expect(r.config.admin).toBeNull();
    expect(r.config.workers).toEqual({ kind: "count", count: 1 });
    expect(r.config.logging.queryLog.redactLiterals).toBe(true);
  });

  it("reports every error of a document at once, each with path, line and column", () => {
    const text = `listeners:
  - port: 3306
    prot: 4
servers:
  - name: db1
    host: h
    port: 70000
    role: primray
  - name: db1
    host: "x"
    port: "3307"
users:
  - name: app
monitor:
  user: m
  password_env: NOPE
policy:
  files: [nothere.policy]
workers: many
`;
    expect(problems(parse(text))).toEqual([
      ["CFG002", "listeners[0].prot", 3, 5, 'unknown key "prot"'],
      ["CFG007", "servers[1].name", 9, 11, 'server name "db1" is already used by servers[0]'],
      ["CFG005", "servers[0].port", 7, 11, "must be between 1 and 65535 (got 70000)"],
      ["CFG006", "servers[0].role", 8, 11, '"primray" is not one of primary, replica, auto'],
      ["CFG004", "servers[1].port", 11, 11, 'expected an integer, got a string ("3307")'],
      ["CFG011", "users[0]", 13, 5, "needs a password: one of password_env, password_file, password_hash"],
      ["CFG008", "monitor.password_env", 16, 17, "environment variable NOPE is not set"],
      ["CFG013", "policy.files[0]", 18, 11, "policy file /cfg/nothere.policy does not exist"],
      ["CFG006", "workers", 19, 10, "expected a number of workers (1–256) or auto"],
    ]);
  });

  it("renders a diagnostic with file:line:col, a code frame with carets and the hint", () => {
    const r = parse(MINIMAL.replace("host: 127.0.0.1", "host: 127.0.0.1\n    prot: 3307"));
    if (r.kind !== "invalid") throw new Error("expected diagnostics");
    expect(r.diagnostics.map(formatConfigDiagnostic).join("\n")).toBe(
      [
        'sluice.yaml:6:5 error CFG002 servers[0].prot: unknown key "prot"',
        "  5 |     host: 127.0.0.1",
        "> 6 |     prot: 3307",
        "    |     ^^^^",
        "  7 | users:",
        '  hint: did you mean "port"?',
      ].join("\n"),
    );
  });

  it("lists the known keys when an unknown key is not close to any", () => {
    const r = parse(`${MINIMAL}http:\n  colour: blue\n`);
    if (r.kind !== "invalid") throw new Error("expected diagnostics");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      code: "CFG002",
      path: "http.colour",
      line: 15,
      col: 3,
      hint: "known keys here: host, port",
    });
  });

  it("reports YAML syntax errors and duplicate keys as CFG001", () => {
    expect(problems(parse("listeners: [\n"))[0]?.slice(0, 2)).toEqual(["CFG001", ""]);
    const dup = parse(`${MINIMAL}workers: 2\nworkers: 3\n`);
    expect(problems(dup)).toEqual([["CFG001", "", 15, 1, "a key appears twice in the same mapping"]]);
  });

  it("reports a missing section at the top of its parent mapping, with a hint", () => {
    const r = parse(MINIMAL.replace("policy:\n  files: [main.policy]\n", ""));
    if (r.kind !== "invalid") throw new Error("expected diagnostics");
    expect(r.diagnostics.map((d) => [d.code, d.path, d.line, d.col, d.message, d.hint])).toEqual([
      [
        "CFG003",
        "policy",
        1,
        1,
        'missing required key "policy"',
        "policy: { files: [policies/default.policy] }",
      ],
    ]);
  });

  it("checks secrets: set, non-empty, one source, hash form, no hash where Sluice must send the password", () => {
    const text = `listeners:
  - port: 3306
servers:
  - name: db1
    host: h
users:
  - name: a
    password_env: EMPTY
  - name: b
    password_file: secrets/b
  - name: c
    password_hash: "*ABC"
  - name: d
    password_env: APP_PW
    password_file: secrets/d
  - name: e
    password_env: $APP_PW
monitor:
  user: monitor
  password_hash: "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"
policy:
  files: [main.policy]
`;
    expect(problems(parse(text, { ...baseEnv, EMPTY: "" }))).toEqual([
      ["CFG008", "users[0].password_env", 8, 19, "environment variable EMPTY is empty"],
      ["CFG008", "users[1].password_file", 10, 20, "cannot read password file /cfg/secrets/b: no such file"],
      ["CFG009", "users[2].password_hash", 12, 20, "not a native password hash"],
      [
        "CFG011",
        "users[3]",
        15,
        20,
        "give only one of password_env, password_file, password_hash (found password_env and password_file)",
      ],
      ["CFG004", "users[4].password_env", 17, 19, '"$APP_PW" is not an environment variable name'],
      [
        "CFG011",
        "monitor.password_hash",
        20,
        18,
        "a hash cannot be used here: Sluice must send this password to the servers",
      ],
    ]);
  });

  it("reads a password file without its trailing newline and accepts a native hash", () => {
    const text = MINIMAL.replace(
      "    password_env: APP_PW\n",
      "    password_file: /run/secrets/app\n  - name: ro\n    password_hash: '*2470c0c06dee42fd1618bb99005adca2ec9d1e19'\n",
    );
    const r = parse(text, baseEnv, { "/run/secrets/app": "s3cret\n" });
    if (r.kind !== "ok") throw new Error(JSON.stringify(problems(r)));
    const [app, ro] = r.config.users;
    expect(app?.password.kind === "plain" && app.password.secret.reveal()).toBe("s3cret");
    expect(app?.password.kind === "plain" && app.password.secret.origin).toBe("file /run/secrets/app");
    expect(ro?.password.kind === "native_hash" && ro.password.hash.reveal()).toBe(
      "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
    );
    expect(r.config.monitor.credentials.password.reveal()).toBe("monitor-secret");
  });

  it("checks TLS settings on listeners, servers and users", () => {
    const text = `listeners:
  - port: 3306
    require_tls: true
  - port: 3307
    tls:
      cert_file: server.crt
servers:
  - name: db1
    host: h
    tls: { mode: verify_ca }
  - name: db2
    host: h
    tls: { mode: required, ca_file: ca.pem }
users:
  - name: app
    password_env: APP_PW
monitor:
  user: monitor
  password_env: MON_PW
policy:
  files: [main.policy]
`;
    expect(problems(parse(text, baseEnv, { "/cfg/ca.pem": "" }))).toEqual([
      ["CFG010", "listeners[0].require_tls", 3, 18, "require_tls needs TLS on this listener"],
      ["CFG013", "listeners[1].tls.cert_file", 6, 18, "certificate /cfg/server.crt does not exist"],
      ["CFG003", "listeners[1].tls.key_file", 6, 7, 'missing required key "key_file"'],
      ["CFG010", "servers[0].tls.ca_file", 10, 10, "mode verify_ca needs ca_file"],
      ["CFG012", "servers[1].tls.ca_file", 13, 37, "ca_file is not used with mode required"],
    ]);
  });

  it("runs whole-document checks once sections are valid: port clashes and TLS-only users", () => {
    const text = `${MINIMAL.replace("    password_env: APP_PW\n", "    password_env: APP_PW\n    require_tls: true\n")}admin:
  user: admin
  password_env: APP_PW
  port: 3306
http:
  host: 0.0.0.0
  port: 6032
`;
    expect(problems(parse(text))).toEqual([
      ["CFG014", "admin.port", 18, 9, "port 3306 is already used by listeners[0]"],
      ["CFG010", "users[0].require_tls", 9, 18, 'user "app" requires TLS but no listener offers it'],
    ]);
  });

  it("reports more than one primary hint and inconsistent pool and monitor settings", () => {
    const text = `listeners:
  - port: 3306
servers:
  - { name: a, host: h, role: primary }
  - { name: b, host: h, role: primary }
users:
  - name: app
    password_env: APP_PW
pools:
  min_idle: 20
  max_idle: 10
monitor:
  user: monitor
  password_env: MON_PW
  max_lag_seconds: 2
  lag_recover_seconds: 5
  failover: auto
policy:
  files: [main.policy]
`;
    expect(problems(parse(text))).toEqual([
      ["CFG015", "servers[1].role", 5, 31, "more than one server has role: primary (also servers[0])"],
      ["CFG012", "pools.min_idle", 10, 13, "min_idle (20) is more than max_idle (10)"],
      [
        "CFG012",
        "monitor.lag_recover_seconds",
        16,
        24,
        "lag_recover_seconds (5) is more than max_lag_seconds (2)",
      ],
      ["CFG012", "monitor.failover", 17, 13, "failover: auto needs replication credentials"],
    ]);
  });

  it("checks hooks, logging and types of scalars", () => {
    const text = `${MINIMAL}hooks:
  - on: failovr
    command: []
  - on: [server_down, "*"]
    command: [/bin/true]
    timeout_ms: 0
logging:
  level: loud
  destination: /nonexistent/dir/sluice.log
  query_log:
    sample_rate: 1.5
    slow_ms: off
    full: "yes"
`;
    const r = parse(text);
    expect(problems(r)).toEqual([
      [
        "CFG006",
        "hooks[0].on",
        15,
        9,
        '"failovr" is not one of *, server_down, server_up, lag_over, lag_under, state_changed, new_primary, failover, failover_failed, switchover, switchover_failed, fenced, rejoined, rejoin_refused, leader_acquired, leader_lost',
      ],
      ["CFG005", "hooks[0].command", 16, 14, "needs at least 1 argument"],
      ["CFG005", "hooks[1].timeout_ms", 19, 17, "must be at least 1 ms (got 0)"],
      [
        "CFG006",
        "logging.level",
        21,
        10,
        '"loud" is not one of trace, debug, info, warn, error, fatal, silent',
      ],
      ["CFG013", "logging.destination", 22, 16, "folder /nonexistent/dir for the log file does not exist"],
      ["CFG005", "logging.query_log.sample_rate", 24, 18, "must be between 0 and 1 (got 1.5)"],
      ["CFG004", "logging.query_log.full", 26, 11, 'expected true or false, got a string ("yes")'],
    ]);
    if (r.kind === "invalid") expect(r.diagnostics[0]?.hint).toBe('did you mean "failover"?');
  });

  it("rejects a wrong shape for a whole section", () => {
    expect(problems(parse(MINIMAL.replace("listeners:\n  - port: 3306\n", "listeners: 3306\n")))).toEqual([
      ["CFG004", "listeners", 1, 12, "expected a list, got a number (3306)"],
    ]);
    expect(problems(parse(MINIMAL.replace("listeners:\n  - port: 3306\n", "listeners: []\n")))).toEqual([
      ["CFG005", "listeners", 1, 12, "needs at least 1 listener"],
    ]);
    const empty = parse(`${MINIMAL}http:\n`);
    expect(empty.kind === "invalid" && empty.diagnostics.map((d) => [d.path, d.message, d.hint])).toEqual([
      ["http", "expected a mapping, got nothing (null)", "write {} to take every default"],
    ]);
    expect(problems(parse("- a\n- b\n"))).toEqual([["CFG004", "", 1, 1, "expected a mapping, got a list"]]);
    expect(problems(parse(""))).toEqual([["CFG004", "", 1, 1, "the configuration is empty"]]);
  });

  it("resolves YAML aliases so shared blocks can be anchored once", () => {
    const text = MINIMAL.replace(
      "servers:\n  - name: db1\n    host: 127.0.0.1\n",
      "servers:\n  - &base { name: db1, host: 127.0.0.1, port: 3307 }\n  - { name: db2, host: 127.0.0.2, port: 3307 }\n",
    );
    const r = parse(text);
    expect(problems(r)).toEqual([]);
    if (r.kind === "ok") expect(r.config.servers.map((s) => s.port)).toEqual([3307, 3307]);
  });
});
