import { describe, expect, it } from "vitest";
import { classify } from "../../src/classifier/classify.js";
import {
  afterResetStatement,
  parseTrackerGlobals,
  TrackedSession,
  trackingStatement,
} from "../../src/pool/session-tracking.js";
import { Capability, Command, ServerStatus } from "../../src/protocol/constants.js";
import { startTracking, type TrackerState, trackFrame } from "../../src/protocol/response-tracker.js";
import type { SessionChange } from "../../src/protocol/session-track.js";
import { trackedOkBytes } from "../protocol/session-track-encoder.js";

/** The tracker's state after one OK answering `command` on a SESSION_TRACK connection. */
function answered(command: number, changes?: readonly SessionChange[], error = false): TrackerState {
  const payload = error
    ? Buffer.from([0xff, 0x28, 0x04, ...Buffer.from("#HY000no")])
    : Buffer.from(
        trackedOkBytes({ status: ServerStatus.Autocommit, ...(changes === undefined ? {} : { changes }) }),
      );
  return trackFrame(startTracking(command, Capability.SessionTrack), { payload, continues: false });
}

function clean(): TrackedSession {
  const s = new TrackedSession();
  s.available = true;
  s.clean(true);
  return s;
}

describe("a backend connection's tracked session", () => {
  it("counts as changed until Sluice's trackers are on", () => {
    const s = new TrackedSession();
    expect(s.changedSinceClean).toBe(true);
    s.clean(true);
    expect(s.changedSinceClean).toBe(false);
  });

  it("is not changed by writes (last_gtid) or by selecting a database, which it follows", () => {
    const s = clean();
    s.observe(
      Command.Query,
      answered(Command.Query, [{ kind: "system-variable", name: "last_gtid", value: "0-1-3" }]),
    );
    s.observe(
      Command.InitDb,
      answered(Command.InitDb, [
        { kind: "schema", schema: "shop" },
        { kind: "state-change", changed: true },
      ]),
    );
    expect(s.changedSinceClean).toBe(false);
    expect(s.schema).toBe("shop");
    s.observe(Command.Query, answered(Command.Query, [{ kind: "schema", schema: "" }]));
    expect(s.schema).toBeNull();
  });

  it("is changed by a reported variable, a prepared statement or an effect no tracker reports", () => {
    const variable = clean();
    variable.observe(
      Command.Query,
      answered(Command.Query, [{ kind: "system-variable", name: "sql_mode", value: "" }]),
    );
    expect(variable.changedSinceClean).toBe(true);
    const prepared = clean();
    prepared.observe(Command.StmtPrepare, answered(Command.StmtPrepare, undefined, true));
    expect(prepared.changedSinceClean).toBe(false); // a failed PREPARE leaves nothing
    prepared.observe(Command.SetOption, answered(Command.SetOption));
    expect(prepared.changedSinceClean).toBe(true);
    const lock = clean();
    lock.sawEffects(classify("SELECT GET_LOCK('x', 1)").sessionEffects);
    expect(lock.changedSinceClean).toBe(true);
    const use = clean();
    use.sawEffects(classify("USE shop").sessionEffects);
    expect(use.changedSinceClean).toBe(false);
  });

  it("stops trusting its trackers after the client's own reset or a SET of session_track_*", () => {
    const reset = clean();
    reset.observe(Command.ResetConnection, answered(Command.ResetConnection));
    expect(reset.active).toBe(false);
    expect(reset.changedSinceClean).toBe(true);
    const set = clean();
    set.sawEffects(classify("SET session_track_system_variables = ''").sessionEffects);
    expect(set.active).toBe(false);
    set.clean(true);
    expect(set.active).toBe(true);
  });
});

/** The rows SHOW GLOBAL VARIABLES LIKE 'session_track_%' returns, parsed. */
function globals(systemVariables: string, schema: string, stateChange: string, transactionInfo: string) {
  const parsed = parseTrackerGlobals([
    ["session_track_schema", schema],
    ["session_track_state_change", stateChange],
    ["session_track_system_variables", systemVariables],
    ["session_track_transaction_info", transactionInfo],
  ]);
  if (parsed === null) throw new Error("unparsed");
  return parsed;
}

describe("the SET that turns Sluice's trackers on", () => {
  const mariadbDefaults = globals(
    "autocommit,character_set_client,character_set_connection,character_set_results,time_zone",
    "ON",
    "OFF",
    "OFF",
  );

  it("adds to MariaDB's defaults only what they lack, as literals", () => {
    expect(trackingStatement(mariadbDefaults)).toBe(
      "SET session_track_system_variables = 'autocommit,character_set_client,character_set_connection," +
        "character_set_results,time_zone,last_gtid,sql_mode', session_track_state_change = ON, " +
        "session_track_transaction_info = STATE",
    );
  });

  it("is not needed at all on a server configured with them, and keeps '*' and CHARACTERISTICS", () => {
    expect(trackingStatement(globals("sql_mode,last_gtid", "1", "1", "CHARACTERISTICS"))).toBeNull();
    expect(trackingStatement(globals("*", "OFF", "ON", "STATE"))).toBe("SET session_track_schema = ON");
    expect(trackingStatement(globals("", "ON", "ON", "STATE"))).toBe(
      "SET session_track_system_variables = 'last_gtid,sql_mode'",
    );
    // a server without the trackers (MySQL 5.6, old MariaDB)
    expect(parseTrackerGlobals([["session_track_schema", "ON"]])).toBeNull();
  });

  it("after a reset, also gives back the IGNORE_SPACE a CLIENT_IGNORE_SPACE handshake put in sql_mode", () => {
    const ignoreSpace = "sql_mode = CONCAT_WS(',', NULLIF(@@session.sql_mode, ''), 'IGNORE_SPACE')";
    expect(afterResetStatement("SET a = 1", 0)).toBe("SET a = 1");
    expect(afterResetStatement(null, 0)).toBeNull();
    expect(afterResetStatement("SET a = 1", Capability.IgnoreSpace)).toBe(`SET a = 1, ${ignoreSpace}`);
    expect(afterResetStatement(null, Capability.IgnoreSpace)).toBe(`SET ${ignoreSpace}`);
  });
});
