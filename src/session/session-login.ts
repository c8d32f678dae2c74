import { Command, ServerStatus } from "../protocol/constants.js";
import { encodeErr, encodeOk } from "../protocol/generic-response.js";
import { type ClientError, MysqlErrors } from "../protocol/mysql-errors.js";
import type { Packet } from "../protocol/packet-assembler.js";
import { encodePacket } from "../protocol/packet-writer.js";
import { SessionRouter } from "../routing/session-router.js";
import { profileOf } from "./capabilities.js";
import { changeUser } from "./change-user.js";
import { authenticateClient } from "./frontend-auth.js";
import { RoutedStatements } from "./routed-statements.js";
import { routedView } from "./routed-view.js";
import type { SessionCore } from "./session-core.js";

/**
 * The login of a new client session: handshake and authentication, then a backend connection,
 * whose failure is the login's answer. Returns whether the session goes on to its commands.
 */
export async function logIn(core: SessionCore): Promise<boolean> {
  const s = core.services;
  const outcome = await authenticateClient(core.socket, core.input, {
    connectionId: core.id,
    serverVersion: s.serverVersion(),
    capabilityMask: s.capabilityMask,
    credentials: s.credentials,
    tls: s.tls,
    timeoutMs: s.handshakeMs,
    clientHost: core.clientHost,
  });
  core.socket = core.input.currentSocket;
  if (outcome.kind === "rejected") {
    s.counters.authFailures++;
    core.log.warn({ reason: outcome.reason }, "login rejected");
    core.write(encodePacket(outcome.nextSeq, encodeErr(outcome.error)).bytes);
    return false;
  }
  core.user = outcome.user;
  core.stage1 = outcome.stage1;
  core.seed = outcome.seed;
  core.capabilities = outcome.capabilities;
  core.profile = profileOf(outcome.capabilities, outcome.collation);
  core.database = outcome.database;
  core.log.info(
    { user: outcome.user, tls: outcome.tls, program: outcome.attributes.get("program_name") },
    "login",
  );
  // Take a backend now: a wrong database or an unreachable server is reported as the login
  // result. Nothing reads diagnostics before the session's first statement (see placeOn).
  // COM_CONNECT tells the chooser this is a login (it may pick any server that can take one).
  const target = () =>
    s.chooser.choose({
      command: Command.Connect,
      packet: { seq: 0, lastSeq: 0, payload: Buffer.alloc(0), raw: [] },
      current: undefined,
      inTransaction: false,
    });
  let error = await core.acquire(target(), undefined, s.routing === undefined);
  // The server it named died before the monitor noticed (a failover starting): within the
  // failover hold the login asks again, and the monitor's next check names another server.
  const holdUntil = Date.now() + (s.routing?.failoverHoldMs ?? 0);
  while (error !== undefined && UNREACHABLE.has(error.errno) && Date.now() < holdUntil) {
    await new Promise((resolve) => setTimeout(resolve, LOGIN_HOLD_POLL_MS));
    error = await core.acquire(target(), undefined, s.routing === undefined);
  }
  if (error !== undefined) {
    core.write(encodePacket(outcome.nextSeq, encodeErr(loginError(error))).bytes);
    return false;
  }
  core.write(encodePacket(outcome.nextSeq, encodeOk({ status: ServerStatus.Autocommit })).bytes);
  if (s.routing !== undefined) {
    core.router = new SessionRouter(s.routing, core.sessionStart());
    core.statements = new RoutedStatements(routedView(core, core.router));
    const held = core.leases.current;
    if (held !== undefined) core.router.connected(held.key.server, core.database ?? null);
    if (core.router.mayRelease()) core.release.defer();
  } else {
    core.release.asChooserSays(Command.Connect);
  }
  return true;
}

/**
 * COM_CHANGE_USER: authenticates the new user, then starts the session over on a new backend
 * connection (transaction, database and routing state as at login). Returns whether the session
 * goes on.
 */
export async function switchUser(core: SessionCore, packet: Packet): Promise<boolean> {
  const result = await changeUser(packet, {
    input: core.input,
    socket: core.socket,
    seed: core.seed,
    capabilities: core.capabilities,
    credentials: core.services.credentials,
    clientHost: core.clientHost,
  });
  if (result.kind === "rejected") {
    core.services.counters.authFailures++;
    core.write(encodePacket(result.nextSeq, encodeErr(result.error)).bytes);
    return false;
  }
  core.leases.release(!core.inTransaction);
  core.user = result.user;
  core.stage1 = result.stage1;
  core.profile = profileOf(core.capabilities, result.collation ?? core.profile.collation);
  core.database = result.database;
  core.inTransaction = false;
  core.lostTransaction = false;
  core.router?.disconnected();
  const target = core.services.chooser.choose({
    command: Command.ChangeUser,
    packet,
    current: undefined,
    inTransaction: false,
  });
  const error = await core.acquire(target);
  if (error === undefined && core.router !== undefined) {
    core.router.reset(core.sessionStart());
    core.router.connected(target, core.database ?? null);
  }
  core.write(
    encodePacket(
      result.nextSeq,
      error === undefined ? encodeOk({ status: core.status() }) : encodeErr(loginError(error)),
    ).bytes,
  );
  if (error === undefined) core.release.asChooserSays(Command.ChangeUser);
  return error === undefined;
}

/** the backend could not be reached or dropped the connection (MysqlErrors.backendUnavailable/Lost) */
const UNREACHABLE = new Set([2003, 2013]);
/** how often a held login asks the topology again */
const LOGIN_HOLD_POLL_MS = 200;

/**
 * The answer to a login (or COM_CHANGE_USER) that found no backend. 2003 and 2013 are client
 * library codes (errmsg.h, CR_*), which no server sends in a login reply: libmariadb 3.3 (the
 * `mariadb` CLI) answers such a reply with "2027 Received malformed packet" and drops the text,
 * while it shows server codes (1xxx, 3xxx) as sent. So the login gets the server's
 * ER_ABORTING_CONNECTION (1152, SQLSTATE 08S01, a connection failure drivers may retry) with
 * Sluice's text. Statements keep 2003/2013, which clients parse there.
 */
function loginError(error: ClientError): ClientError {
  return error.errno >= 2000 && error.errno < 3000 ? MysqlErrors.loginAborted(error.message) : error;
}
