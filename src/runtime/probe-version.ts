import { connect } from "node:net";
import type { BackendTarget } from "../pool/backend-socket.js";
import { Framer } from "../protocol/framer.js";
import { decodeHandshakeV10 } from "../protocol/handshake.js";

export interface ServerGreeting {
  readonly version: string;
  readonly capabilities: number;
}

/**
 * Reads a server's greeting (no login): Sluice announces the same version string and offers
 * clients no pass-through capability the primary lacks.
 */
export function probeServer(target: BackendTarget, timeoutMs: number): Promise<ServerGreeting> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const framer = new Framer();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no greeting from ${target.name} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      framer.push(chunk);
      const frame = framer.next();
      if (frame === undefined) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        const hs = decodeHandshakeV10(frame.payload);
        resolve({ version: hs.serverVersion, capabilities: hs.capabilities });
      } catch (e) {
        reject(e);
      }
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
