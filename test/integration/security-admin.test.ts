import { networkInterfaces } from "node:os";
import mysql from "mysql2/promise";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminActions, AdminSnapshot } from "../../src/admin/admin-snapshot.js";
import { type AdminListener, startAdminListener } from "../../src/admin/sql-listener.js";
import { loadConfig } from "../../src/config/index.js";
import { rejectionOf } from "./proxy-helpers.js";

/** The admin interface can change routing and kill sessions: loopback only by default, and its own credentials. */
const snapshot: AdminSnapshot = {
  now: 0,
  servers: [],
  pools: [],
  sessions: [],
  rules: [],
  digests: [],
  policy: null,
};
const actions: AdminActions = {
  reload: async () => ({ kind: "failed", diagnostics: ["not in this test"] }),
  setServerState: async () => ({ kind: "error", message: "not in this test" }),
  switchover: async () => ({ kind: "error", message: "not in this test" }),
  killSession: async () => ({ kind: "error", message: "not in this test" }),
};
let admin: AdminListener;

beforeAll(async () => {
  admin = await startAdminListener({
    port: 0,
    user: "admin",
    password: "admin-pw-42",
    snapshot: () => snapshot,
    actions,
    logger: pino({ level: "silent" }),
  });
});

afterAll(() => admin.close());

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;

const attempt = (host: string, user: string, password: string) =>
  mysql.createConnection({ host, port: admin.port, user, password, connectTimeout: 3000 });

describe("admin interface", () => {
  it.skipIf(external === undefined)("is not reachable on a non-loopback address by default", async () => {
    const err = await rejectionOf(attempt(external!, "admin", "admin-pw-42"));
    expect(err.code).toBe("ECONNREFUSED");
  });

  it("requires its own credentials: wrong, empty, or another account's password get 1045", async () => {
    for (const [user, password] of [
      ["admin", "wrong"],
      ["admin", ""],
      ["app", "app-secret"],
      ["root", ""],
    ] as const) {
      const err = await rejectionOf(attempt("127.0.0.1", user, password));
      expect([user, err.errno]).toEqual([user, 1045]);
    }
    const ok = await attempt("127.0.0.1", "admin", "admin-pw-42");
    await ok.end();
  });

  it("the config puts it on 127.0.0.1 unless told otherwise", () => {
    const text = [
      "listeners:\n  - port: 3306",
      "admin:\n  port: 6032\n  user: admin\n  password_env: ADMIN_PW",
      "servers:\n  - name: db1\n    host: 127.0.0.1\n    role: primary",
      "users:\n  - name: app\n    password_env: APP_PW",
      "monitor:\n  user: monitor\n  password_env: MON_PW",
      `policy:\n  files:\n    - ${new URL("../../policies/primary-only.policy", import.meta.url).pathname}`,
    ].join("\n");
    const r = loadConfig({ text }, { env: { ADMIN_PW: "a", APP_PW: "b", MON_PW: "c" } });
    if (r.kind !== "ok") throw new Error(JSON.stringify(r.diagnostics.map((d) => d.message)));
    expect(r.config.admin?.host).toBe("127.0.0.1");
    expect(r.config.http === null || r.config.http.host === "127.0.0.1").toBe(true);
  });
});
