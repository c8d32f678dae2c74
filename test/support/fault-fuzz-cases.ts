import fc from "fast-check";
import { frameBytes, lenenc, u32 } from "../protocol/wire-builder.js";

/**
 * Malformed client traffic for the protocol fuzz test, built with the test-only wire builder.
 * Each case says when it is sent (before login: right after the greeting; after login: as a
 * command) and what a correct Sluice must do: `error-or-close` (an ERR packet or the connection
 * closed, nothing else ever), or `responds` (any answer or a close: the input is a syntactically
 * odd command the backend may well accept, followed by a COM_PING that must be answered).
 * Before login, an AuthSwitchRequest may come first: whenever the (mangled) response names a
 * plugin other than mysql_native_password, asking the client to switch is the correct answer.
 */
export type FuzzCase =
  | {
      readonly kind: "pre-login";
      readonly label: string;
      readonly writes: readonly Buffer[];
    }
  | {
      readonly kind: "post-login";
      readonly label: string;
      readonly writes: readonly Buffer[];
      readonly expect: "error-or-close" | "responds";
    };

const CAPS_BASE = 0x200 | 0x8000 | 0x80000 | 0x2000 | 0x20000 | (1 << 24);
const PLUGIN_AUTH_LENENC = 1 << 21;
const CONNECT_ATTRS = 1 << 20;

function frame(seq: number, payload: Uint8Array | number[]): Buffer {
  return Buffer.from(frameBytes(seq, Uint8Array.from(payload)));
}

/** A well-formed HandshakeResponse41 for `user` with a (random, hence wrong) 20-byte scramble. */
function response(user: string, scramble: Uint8Array, plugin: string, extraCaps = 0): number[] {
  return [
    ...u32(CAPS_BASE | extraCaps),
    ...u32(1 << 24),
    45,
    ...new Array<number>(23).fill(0),
    ...Buffer.from(`${user}\0`),
    scramble.length,
    ...scramble,
    ...Buffer.from(`${plugin}\0`),
  ];
}

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const scramble = fc.uint8Array({ minLength: 20, maxLength: 20 });
const userName = fc.oneof(fc.constant("app"), fc.constant("root"), fc.string({ maxLength: 40 }));

/** Commands a fuzzer may send with a random body. Left out on purpose: COM_REFRESH (the app user
 * may RESET MASTER and would break the cluster's replication), COM_PROCESS_KILL (would kill other
 * sessions, legitimately), COM_CREATE_DB / COM_DROP_DB (would litter or drop databases). */
const SAFE_COMMANDS = [
  0x00, 0x02, 0x03, 0x04, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
  0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x7f, 0xfe, 0xff,
];

const PING = frame(0, [0x0e]);

const preLogin: fc.Arbitrary<FuzzCase> = fc.oneof(
  bytes(300).map((b) => ({
    kind: "pre-login" as const,
    label: "random bytes instead of a handshake response",
    writes: [Buffer.from(b)],
  })),
  fc.tuple(userName, scramble, fc.nat({ max: 200 }), fc.nat(255)).map(([user, s, cut, seq]) => {
    const full = response(user, s, "mysql_native_password");
    return {
      kind: "pre-login" as const,
      label: "truncated handshake response",
      writes: [frame(seq, full.slice(0, Math.min(cut, full.length - 1)))],
    };
  }),
  fc.tuple(userName, scramble, fc.integer({ min: 1, max: 2 ** 24 - 1 })).map(([user, s, lie]) => {
    const body = response(user, s, "mysql_native_password");
    return {
      kind: "pre-login" as const,
      label: "frame header declaring more bytes than sent",
      writes: [Buffer.from([...[lie & 0xff, (lie >> 8) & 0xff, lie >> 16, 1], ...body.slice(0, lie - 1)])],
    };
  }),
  fc.tuple(userName, fc.constantFrom(0xfb, 0xfc, 0xfd, 0xfe, 0xff), bytes(8)).map(([user, prefix, tail]) => ({
    kind: "pre-login" as const,
    label: "lying length-encoded auth response",
    writes: [
      frame(1, [
        ...u32(CAPS_BASE | PLUGIN_AUTH_LENENC),
        ...u32(1 << 24),
        45,
        ...new Array<number>(23).fill(0),
        ...Buffer.from(`${user}\0`),
        prefix,
        ...tail,
      ]),
    ],
  })),
  fc.tuple(scramble, fc.integer({ min: 0, max: 2 ** 30 }), bytes(40)).map(([s, total, attrs]) => ({
    kind: "pre-login" as const,
    label: "connect attributes with a lying total length",
    writes: [
      frame(1, [...response("app", s, "mysql_native_password", CONNECT_ATTRS), ...lenenc(total), ...attrs]),
    ],
  })),
  fc.tuple(scramble, fc.nat(0xffffffff), fc.nat(255)).map(([s, caps, collation]) => {
    const body = response("app", s, "mysql_native_password");
    const mutated = [...u32(caps), ...body.slice(4, 8), collation, ...body.slice(9)];
    return {
      kind: "pre-login" as const,
      label: "random capability flags and collation",
      writes: [frame(1, mutated)],
    };
  }),
  fc
    .tuple(scramble, fc.oneof(bytes(64), fc.constant(new Uint8Array(0))), fc.boolean())
    .map(([s, reply, otherPlugin]) => ({
      kind: "pre-login" as const,
      label: "auth switch answered with garbage or another plugin's data",
      writes: [
        frame(1, response("app", s, "caching_sha2_password")),
        frame(3, otherPlugin ? [...Buffer.from("client_ed25519\0"), ...reply] : reply),
      ],
    })),
  fc.constantFrom(
    {
      kind: "pre-login" as const,
      label: "a command before login",
      writes: [frame(0, [0x03, ...Buffer.from("SELECT 1")])],
    },
    {
      kind: "pre-login" as const,
      label: "SSLRequest when TLS is not offered",
      writes: [frame(1, [...u32(CAPS_BASE | 0x800), ...u32(1 << 24), 45, ...new Array<number>(23).fill(0)])],
    },
    {
      kind: "pre-login" as const,
      label: "COM_QUIT instead of a handshake response",
      writes: [frame(1, [0x01])],
    },
    {
      kind: "pre-login" as const,
      label: "empty handshake response",
      writes: [frame(1, [])],
    },
  ),
);

const postLogin: fc.Arbitrary<FuzzCase> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...SAFE_COMMANDS), bytes(64)).map(([command, body]) => ({
      kind: "post-login" as const,
      label: `command 0x${command.toString(16)} with a random body, then COM_PING`,
      writes: [frame(0, [command, ...body]), PING],
      expect: "responds" as const,
    })),
  },
  fc.tuple(fc.integer({ min: 1, max: 255 }), bytes(32)).map(([seq, body]) => ({
    kind: "post-login" as const,
    label: "command with a wrong sequence id",
    writes: [frame(seq, [0x03, ...body])],
    expect: "error-or-close" as const,
  })),
  fc.tuple(fc.integer({ min: 2, max: 2 ** 20 }), bytes(32)).map(([declared, body]) => ({
    kind: "post-login" as const,
    label: "truncated command (length larger than the bytes sent)",
    writes: [
      Buffer.from([
        declared & 0xff,
        (declared >> 8) & 0xff,
        declared >> 16,
        0,
        0x03,
        ...body.slice(0, declared - 2),
      ]),
    ],
    expect: "error-or-close" as const,
  })),
  fc.integer({ min: 2 ** 20 + 1, max: 2 ** 24 - 1 }).map((declared) => ({
    kind: "post-login" as const,
    label: "huge declared packet size",
    writes: [Buffer.from([declared & 0xff, (declared >> 8) & 0xff, declared >> 16, 0, 0x03, 0x20])],
    expect: "error-or-close" as const,
  })),
  fc.constant({
    kind: "post-login" as const,
    label: "empty command packet",
    writes: [frame(0, [])],
    expect: "error-or-close" as const,
  }),
  fc.tuple(userName, bytes(48)).map(([user, tail]) => ({
    kind: "post-login" as const,
    label: "COM_CHANGE_USER with a wrong or malformed scramble",
    writes: [frame(0, [0x11, ...Buffer.from(`${user}\0`), ...tail])],
    expect: "error-or-close" as const,
  })),
  fc.tuple(bytes(16), bytes(48)).map(([params, tail]) => ({
    kind: "post-login" as const,
    label: "COM_STMT_EXECUTE for a statement never prepared, bad length-encoded params",
    writes: [frame(0, [0x17, ...u32(0x7fffffff), 0, ...u32(1), ...params, 0xfc, 0xff, 0xff, ...tail]), PING],
    expect: "responds" as const,
  })),
  bytes(200).map((b) => ({
    kind: "post-login" as const,
    label: "raw garbage after login, then COM_PING",
    writes: [Buffer.from(b), PING],
    expect: "responds" as const,
  })),
);

/** A batch of cases run concurrently against one Sluice (keeps the run short on 2 cores). */
export const fuzzBatch = (size: number): fc.Arbitrary<FuzzCase[]> =>
  fc.array(fc.oneof(preLogin, postLogin), { minLength: size, maxLength: size });
