import { Capability, NATIVE_PASSWORD_PLUGIN } from "./constants.js";
import { PayloadBuilder } from "./payload-builder.js";
import { PayloadError, PayloadReader } from "./payload-reader.js";

/** Initial Handshake Packet, protocol version 10 (spec: "Connection Phase Packets"). */
export interface HandshakeV10 {
  readonly serverVersion: string;
  readonly connectionId: number;
  /** 20-byte auth seed (auth-plugin-data parts 1 and 2 without the trailing NUL) */
  readonly seed: Buffer;
  readonly capabilities: number;
  readonly collation: number;
  readonly status: number;
  readonly authPlugin: string;
}

export function encodeHandshakeV10(h: HandshakeV10): Buffer {
  return new PayloadBuilder()
    .u8(10)
    .nulString(h.serverVersion)
    .u32(h.connectionId)
    .bytes(h.seed.subarray(0, 8))
    .u8(0)
    .u16(h.capabilities & 0xffff)
    .u8(h.collation)
    .u16(h.status)
    .u16((h.capabilities >>> 16) & 0xffff)
    .u8(h.seed.length + 1)
    .zeros(10)
    .bytes(h.seed.subarray(8))
    .u8(0)
    .nulString(h.authPlugin)
    .build();
}

export function decodeHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PayloadReader(payload);
  const version = r.u8();
  if (version !== 10) throw new PayloadError(`unsupported handshake protocol version ${version}`);
  const serverVersion = r.nulString();
  const connectionId = r.u32();
  const seed1 = r.bytes(8);
  r.u8();
  let capabilities = r.u16();
  const collation = r.u8();
  const status = r.u16();
  capabilities |= r.u16() << 16;
  capabilities >>>= 0;
  const seedLength = r.u8();
  r.bytes(10); // reserved (MariaDB puts its extended capabilities in the last 4)
  const seed2Length = Math.max(13, seedLength - 8);
  const seed2 = r.bytes(Math.min(seed2Length, r.remaining));
  const authPlugin =
    (capabilities & Capability.PluginAuth) !== 0 ? r.nulString(true) : NATIVE_PASSWORD_PLUGIN;
  // part 2 is NUL-terminated; the seed proper is 20 bytes
  const seed = Buffer.concat([seed1, seed2]).subarray(0, 20);
  return { serverVersion, connectionId, seed, capabilities, collation, status, authPlugin };
}

/** HandshakeResponse41 (or its 32-byte prefix, the SSLRequest). */
export interface HandshakeResponse {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly collation: number;
  readonly user: string;
  readonly authResponse: Buffer;
  readonly database: string | undefined;
  readonly authPlugin: string | undefined;
  readonly attributes: ReadonlyMap<string, string>;
}

export type ClientHello =
  | { readonly kind: "ssl-request"; readonly capabilities: number; readonly collation: number }
  | { readonly kind: "response"; readonly response: HandshakeResponse };

export function decodeClientHello(payload: Buffer): ClientHello {
  const r = new PayloadReader(payload);
  const capabilities = r.u32();
  if ((capabilities & Capability.Protocol41) === 0) {
    throw new PayloadError("client does not speak protocol 4.1 (pre-4.1 clients are not supported)");
  }
  const maxPacketSize = r.u32();
  const collation = r.u8();
  r.bytes(23);
  if (r.remaining === 0 && (capabilities & Capability.Ssl) !== 0) {
    return { kind: "ssl-request", capabilities, collation };
  }
  const user = r.nulString();
  let authResponse: Buffer;
  if ((capabilities & Capability.PluginAuthLenencClientData) !== 0) {
    authResponse = r.lenencBytes() ?? Buffer.alloc(0);
  } else if ((capabilities & Capability.SecureConnection) !== 0) {
    authResponse = r.bytes(r.u8());
  } else {
    authResponse = Buffer.from(r.nulString(), "latin1");
  }
  const database =
    (capabilities & Capability.ConnectWithDb) !== 0 && r.remaining > 0 ? r.nulString(true) : undefined;
  const authPlugin =
    (capabilities & Capability.PluginAuth) !== 0 && r.remaining > 0 ? r.nulString(true) : undefined;
  const attributes = new Map<string, string>();
  if ((capabilities & Capability.ConnectAttrs) !== 0 && r.remaining > 0) {
    const total = r.lenenc() ?? 0;
    const end = r.offset + total;
    while (r.offset < end) {
      const key = r.lenencBytes()?.toString("utf8") ?? "";
      const value = r.lenencBytes()?.toString("utf8") ?? "";
      attributes.set(key, value);
    }
  }
  return {
    kind: "response",
    response: {
      capabilities,
      maxPacketSize,
      collation,
      user,
      authResponse,
      database: database === "" ? undefined : database,
      authPlugin,
      attributes,
    },
  };
}

/** Sluice's own HandshakeResponse41 to a backend. */
export function encodeHandshakeResponse(options: {
  capabilities: number;
  maxPacketSize: number;
  collation: number;
  user: string;
  authResponse: Buffer;
  database?: string | undefined;
  authPlugin: string;
  attributes?: ReadonlyMap<string, string>;
}): Buffer {
  const b = new PayloadBuilder()
    .u32(options.capabilities)
    .u32(options.maxPacketSize)
    .u8(options.collation)
    .zeros(23)
    .nulString(options.user);
  if ((options.capabilities & Capability.PluginAuthLenencClientData) !== 0)
    b.lenencBytes(options.authResponse);
  else b.u8(options.authResponse.length).bytes(options.authResponse);
  if ((options.capabilities & Capability.ConnectWithDb) !== 0) b.nulString(options.database ?? "");
  if ((options.capabilities & Capability.PluginAuth) !== 0) b.nulString(options.authPlugin);
  if ((options.capabilities & Capability.ConnectAttrs) !== 0) {
    const attrs = new PayloadBuilder();
    for (const [k, v] of options.attributes ?? new Map<string, string>())
      attrs.lenencString(k).lenencString(v);
    b.lenencBytes(attrs.build());
  }
  return b.build();
}

/** The 32-byte SSLRequest a client (here: Sluice towards a backend) sends before the TLS handshake. */
export function encodeSslRequest(capabilities: number, maxPacketSize: number, collation: number): Buffer {
  return new PayloadBuilder()
    .u32(capabilities | Capability.Ssl)
    .u32(maxPacketSize)
    .u8(collation)
    .zeros(23)
    .build();
}

/** AuthSwitchRequest: 0xFE, plugin name, plugin data (the native plugin's seed + NUL). */
export function encodeAuthSwitchRequest(plugin: string, data: Buffer): Buffer {
  return new PayloadBuilder().u8(0xfe).nulString(plugin).bytes(data).u8(0).build();
}

export function decodeAuthSwitchRequest(payload: Buffer): { plugin: string; data: Buffer } {
  const r = new PayloadReader(payload, 1);
  const plugin = r.nulString(true);
  let data = r.rest();
  if (data.length > 0 && data[data.length - 1] === 0) data = data.subarray(0, data.length - 1);
  return { plugin, data };
}

/** COM_CHANGE_USER (spec: "COM_CHANGE_USER"). */
export interface ChangeUserRequest {
  readonly user: string;
  readonly authResponse: Buffer;
  readonly database: string | undefined;
  readonly collation: number | undefined;
  readonly authPlugin: string | undefined;
}

export function decodeChangeUser(payload: Buffer, clientCapabilities: number): ChangeUserRequest {
  const r = new PayloadReader(payload, 1);
  const user = r.nulString();
  const authResponse =
    (clientCapabilities & Capability.SecureConnection) !== 0
      ? r.bytes(r.u8())
      : Buffer.from(r.nulString(), "latin1");
  const database = r.remaining > 0 ? r.nulString(true) : "";
  const collation = r.remaining >= 2 ? r.u16() : undefined;
  const authPlugin =
    (clientCapabilities & Capability.PluginAuth) !== 0 && r.remaining > 0 ? r.nulString(true) : undefined;
  return { user, authResponse, database: database === "" ? undefined : database, collation, authPlugin };
}
