import type { SessionRouter } from "../routing/session-router.js";
import { profileKey } from "./capabilities.js";
import { killOnBackend } from "./kill-handler.js";
import type { RoutedSession } from "./routed-query.js";
import type { SessionCore } from "./session-core.js";

/** The view of a session a routed query works through. */
export function routedView(core: SessionCore, router: SessionRouter): RoutedSession {
  const operations = core.services.routing!.operations;
  return {
    id: core.id,
    // read through: one view serves every statement of the session (see ClientSession)
    get socket() {
      return core.socket;
    },
    get input() {
      return core.input;
    },
    get capabilities() {
      return core.capabilities;
    },
    router,
    counters: core.services.counters,
    status: () => core.status(),
    held: () => {
      const lease = core.leases.current;
      return lease === undefined ? undefined : { server: lease.key.server, conn: lease.conn };
    },
    switchTo: async (server, ownDiagnostics) => {
      const error = await core.acquire(server, core.deadline, ownDiagnostics);
      if (error === undefined) router.connected(server, core.database ?? null);
      else router.disconnected();
      // The session's database may exist on the server it came from and not on this one (the
      // seeds' case): say which database and which server.
      if (error?.errno === 1049 && core.database !== undefined) {
        return {
          ...error,
          message: `can't change the database to '${core.database}' on server '${server}': ${error.message}`,
        };
      }
      return error;
    },
    release: () => core.release.defer(),
    leaseToken: () => core.leases.current,
    dropHeld: () => {
      core.services.counters.backendErrors++;
      core.leases.drop();
      router.disconnected();
    },
    beginOperation: (server) => {
      const token = operations.begin(server);
      return () => token.end();
    },
    write: (bytes) => core.write(bytes),
    deadline: core.deadline,
    killQuery: (server, threadId) =>
      killOnBackend(
        core.services,
        { server, user: core.user ?? "", profile: profileKey(core.profile) },
        `KILL QUERY ${threadId}`,
        { threadId, shownAs: core.id },
      ),
  };
}
