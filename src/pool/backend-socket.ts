/**
 * The TCP side of a backend connection: where it goes, how it fails, and the socket it starts
 * from (TLS, login and the protocol are BackendConnection's).
 */
import { connect as netConnect, type Socket } from "node:net";
import type { ErrPacket } from "../protocol/generic-response.js";

export interface BackendTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly ca?: string; readonly servername?: string } | boolean;
}

/** Thrown (with a stable code) when a backend cannot be used; mapped to a ClientError by the session. */
export class BackendError extends Error {
  constructor(
    readonly code: "CONNECT_FAILED" | "AUTH_FAILED" | "PROTOCOL" | "CLOSED" | "TIMEOUT",
    message: string,
    readonly serverError?: ErrPacket,
  ) {
    super(message);
  }
}

/** Where the chunks of a socket that reads into a reused buffer go (see connectSocket). */
export interface ChunkRoute {
  socket?: Socket;
  to: ((chunk: Buffer) => void) | undefined;
  /** chunks read before the connection took the route */
  readonly early: Buffer[];
}

/** The socket reads into this buffer; each read is copied out at its own length (see connectSocket). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * A plain TCP backend socket reads into one reused buffer (`onread`) and each read is copied into
 * a Buffer of its own length, which for a small answer is a slice of Node's shared pool. The
 * default path allocates 64 KiB per read, shrinks it, wraps it in a new ArrayBuffer and pushes it
 * through the Readable stream machinery, once per statement. A TLS socket keeps the default
 * path: it takes over the raw socket's reads.
 */
export function connectSocket(target: BackendTarget, timeoutMs: number, reads: ChunkRoute): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const tls = target.tls !== undefined && target.tls !== false;
    const buffer = tls ? undefined : Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const socket =
      buffer === undefined
        ? netConnect({ host: target.host, port: target.port })
        : netConnect({
            host: target.host,
            port: target.port,
            onread: {
              buffer,
              callback: (nread: number) => {
                const chunk = Buffer.allocUnsafe(nread);
                buffer.copy(chunk, 0, 0, nread);
                if (reads.to !== undefined) reads.to(chunk);
                else reads.early.push(chunk);
                return true;
              },
            },
          });
    if (!tls) reads.socket = socket;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new BackendError(
          "TIMEOUT",
          `connecting to ${target.name} (${target.host}:${target.port}) timed out after ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(
        new BackendError(
          "CONNECT_FAILED",
          `cannot connect to ${target.name} (${target.host}:${target.port}): ${e.message}`,
        ),
      );
    });
  });
}
