/**
 * go-sql-driver/mysql's own test suite (Debian's golang-github-go-sql-driver-mysql-dev, with
 * golang-go), run straight against a local cluster's primary and through Sluice; prints each Go
 * test's result both ways and the first lines of the output of each test that differs.
 *
 *   npm run suites -- go-driver [--policy file] [--run regexp] [--out dir]
 *
 * The driver's tests read MYSQL_TEST_ADDR/USER/PASS/DBNAME; MYSQL_TEST_CONCURRENT=1 adds the
 * concurrency tests (many connections at once, the multiplexing case).
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalCluster } from "../../src/cluster/local-cluster.js";
import type { ProxyHandle } from "../../src/runtime/proxy.js";
import { startRoutedProxy } from "../integration/proxy-helpers.js";
import { MTR_LIKE_SERVER_OPTIONS } from "./mtr-harness.js";

const DRIVER_SRC = "/usr/share/gocode/src/github.com/go-sql-driver/mysql";

type GoOutcome = "pass" | "fail" | "skip" | "missing";
interface GoResult {
  readonly test: string;
  readonly outcome: GoOutcome;
  readonly output: string;
}

/** One line of `go test -json` (cmd/test2json). */
interface TestEvent {
  readonly Action: string;
  readonly Test?: string;
  readonly Output?: string;
}

export async function goDriverMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      policy: { type: "string", default: "policies/default.policy" },
      run: { type: "string" },
      out: { type: "string" },
    },
  });
  if (!existsSync(DRIVER_SRC) || !existsSync("/usr/bin/go")) {
    process.stderr.write(
      "needs golang-go and golang-github-go-sql-driver-mysql-dev (apt-get install -y …)\n",
    );
    return 2;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const commit = execFileSync("git", ["log", "-1", "--format=%h"], { encoding: "utf8" }).trim();
  const root = values.out ?? mkdtempSync(join(tmpdir(), "sluice-go-driver-"));
  mkdirSync(root, { recursive: true });
  // A private copy: go test writes nothing into the package dir, but builds want a module root
  // they own, and /usr/share is not ours.
  const src = join(root, "src");
  cpSync(DRIVER_SRC, src, { recursive: true });
  log(`go-driver: commit ${commit}, output in ${root}`);

  const cluster = await startLocalCluster({
    log: (l) => log(`[cluster] ${l}`),
    serverOptions: MTR_LIKE_SERVER_OPTIONS,
  });
  let proxy: ProxyHandle | undefined;
  const onSignal = () => {
    void cluster.stop().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { control } = cluster;
    await control.rootQuery(control.primary, "CREATE DATABASE IF NOT EXISTS gotest");
    await control.waitForReplication(30_000);
    const { app, monitor } = cluster.info.users;
    ({ proxy } = await startRoutedProxy(control, values.policy, {
      users: [
        { name: "root", password: "" },
        { name: app.user, password: app.password },
        { name: monitor.user, password: monitor.password },
      ],
      pool: { minIdle: 1, maxIdle: 8, maxPerServer: 300 },
    }));
    log(`== direct against the primary (port ${control.primary.port})`);
    const direct = await goTest(
      src,
      `127.0.0.1:${control.primary.port}`,
      values.run,
      join(root, "direct.json"),
    );
    log(`== through Sluice (${values.policy}, port ${proxy.port})`);
    const sluice = await goTest(src, `127.0.0.1:${proxy.port}`, values.run, join(root, "sluice.json"));
    const names = [...new Set([...direct.keys(), ...sluice.keys()])];
    const width = Math.max(...names.map((n) => n.length), 10);
    const out = [`go-sql-driver/mysql tests (commit ${commit})`, `${"test".padEnd(width)}  direct  sluice`];
    let differ = 0;
    for (const name of names) {
      const d = direct.get(name) ?? { test: name, outcome: "missing", output: "" };
      const s = sluice.get(name) ?? { test: name, outcome: "missing", output: "" };
      const differs = d.outcome !== s.outcome;
      if (differs) differ++;
      out.push(
        `${name.padEnd(width)}  ${d.outcome.padEnd(6)}  ${s.outcome}${differs ? "   <-- differs" : ""}`,
      );
      if (differs) {
        const failing = s.outcome === "fail" ? s : d;
        const lines = failing.output
          .split("\n")
          .filter((l) => l.trim() !== "" && !/^\s*(=== RUN|--- (FAIL|PASS)|=== (PAUSE|CONT))/.test(l));
        for (const l of lines.slice(0, 8)) out.push(`      | ${l}`);
      }
    }
    out.push(`${names.length} tests; same result ${names.length - differ}, different ${differ}`);
    process.stdout.write(`${out.join("\n")}\n`);
    writeFileSync(join(root, "summary.txt"), `${out.join("\n")}\n`);
    return differ === 0 ? 0 : 1;
  } finally {
    await proxy?.close();
    await cluster.stop();
  }
}

async function goTest(
  src: string,
  addr: string,
  run: string | undefined,
  jsonFile: string,
): Promise<Map<string, GoResult>> {
  const args = [
    "test",
    "-count=1",
    "-json",
    "-timeout=20m",
    ...(run === undefined ? [] : ["-run", run]),
    ".",
  ];
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn("go", args, {
      cwd: src,
      env: {
        ...process.env,
        GO111MODULE: "on",
        GOFLAGS: "-mod=mod",
        // The driver has no dependencies; nothing may be fetched.
        GOPROXY: "off",
        MYSQL_TEST_USER: "root",
        MYSQL_TEST_PASS: "",
        MYSQL_TEST_PROT: "tcp",
        MYSQL_TEST_ADDR: addr,
        MYSQL_TEST_DBNAME: "gotest",
        MYSQL_TEST_CONCURRENT: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => process.stderr.write(c));
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
  writeFileSync(jsonFile, text);
  const results = new Map<string, { outcome: GoOutcome; output: string }>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const ev = JSON.parse(line) as TestEvent;
    if (ev.Test === undefined) continue;
    const r = results.get(ev.Test) ?? { outcome: "missing", output: "" };
    if (ev.Action === "output") r.output += ev.Output ?? "";
    else if (ev.Action === "pass" || ev.Action === "fail" || ev.Action === "skip") r.outcome = ev.Action;
    results.set(ev.Test, r);
  }
  return new Map([...results].map(([test, r]) => [test, { test, ...r }]));
}
