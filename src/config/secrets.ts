import { isMap, isPair, isScalar, type Node } from "yaml";
import type { DecodeContext, Path } from "./decode-context.js";
import { type Decoded, invalid, optional, string } from "./decoders.js";
import { ConfigCode } from "./diagnostic.js";
import { Secret } from "./secret.js";
import type { PasswordConfig } from "./types.js";

/**
 * Secrets are never written in the config itself: a password comes from an environment variable
 * (`password_env`), a file (`password_file`, e.g. a Docker/Kubernetes secret), or — for users
 * only — its native hash (`password_hash`), which is not the password. They are read once, at load.
 */
export const passwordFields = {
  passwordEnv: optional("password_env", string()),
  passwordFile: optional("password_file", string()),
  passwordHash: optional("password_hash", string()),
};

export interface PasswordRefs {
  readonly passwordEnv: string | null;
  readonly passwordFile: string | null;
  readonly passwordHash: string | null;
}

const NATIVE_HASH = /^\*[0-9A-Fa-f]{40}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Resolves exactly one of the password keys of the mapping at `path` (hash only if allowed). */
export function resolvePassword(
  refs: PasswordRefs,
  node: Node,
  path: Path,
  ctx: DecodeContext,
  allowHash: boolean,
): Decoded<PasswordConfig> {
  const keys = allowHash
    ? ["password_env", "password_file", "password_hash"]
    : ["password_env", "password_file"];
  const given = [
    refs.passwordEnv !== null ? "password_env" : null,
    refs.passwordFile !== null ? "password_file" : null,
    refs.passwordHash !== null ? "password_hash" : null,
  ].filter((k): k is string => k !== null);
  if (!allowHash && refs.passwordHash !== null) {
    ctx.report(
      ConfigCode.passwordSource,
      valueNode(node, "password_hash") ?? node,
      [...path, "password_hash"],
      "a hash cannot be used here: Sluice must send this password to the servers",
      "use password_env or password_file",
    );
    return invalid;
  }
  if (given.length !== 1) {
    const message =
      given.length === 0
        ? `needs a password: one of ${keys.join(", ")}`
        : `give only one of ${keys.join(", ")} (found ${given.join(" and ")})`;
    const at = given.length === 0 ? node : (valueNode(node, given[1] ?? "") ?? node);
    ctx.report(
      ConfigCode.passwordSource,
      firstKey(at),
      path,
      message,
      "passwords are never written in the config itself; put it in an environment variable or a file",
    );
    return invalid;
  }
  if (refs.passwordHash !== null) {
    const at = valueNode(node, "password_hash") ?? node;
    if (!NATIVE_HASH.test(refs.passwordHash)) {
      ctx.report(
        ConfigCode.badPasswordHash,
        at,
        [...path, "password_hash"],
        "not a native password hash",
        "the form is * followed by 40 hex digits, as in mysql.user's authentication_string",
      );
      return invalid;
    }
    return { kind: "native_hash", hash: new Secret(refs.passwordHash.toUpperCase(), "password_hash") };
  }
  const secret =
    refs.passwordEnv !== null
      ? fromEnv(refs.passwordEnv, node, path, ctx)
      : fromFile(refs.passwordFile ?? "", node, path, ctx);
  return secret === invalid ? invalid : { kind: "plain", secret };
}

/** A password that must be sent to servers (monitor, replication): env or file only. */
export function resolveSecret(
  refs: PasswordRefs,
  node: Node,
  path: Path,
  ctx: DecodeContext,
): Decoded<Secret> {
  const p = resolvePassword(refs, node, path, ctx, false);
  if (p === invalid) return invalid;
  return p.kind === "plain" ? p.secret : p.hash;
}

function fromEnv(name: string, node: Node, path: Path, ctx: DecodeContext): Decoded<Secret> {
  const at = valueNode(node, "password_env") ?? node;
  const where = [...path, "password_env"];
  if (!ENV_NAME.test(name)) {
    ctx.report(
      ConfigCode.wrongType,
      at,
      where,
      `"${name}" is not an environment variable name`,
      "write the name only, e.g. SLUICE_APP_PASSWORD (no $)",
    );
    return invalid;
  }
  const value = ctx.io.env[name];
  if (value === undefined || value === "") {
    ctx.report(
      ConfigCode.secretUnavailable,
      at,
      where,
      `environment variable ${name} is ${value === undefined ? "not set" : "empty"}`,
      `set ${name} in Sluice's environment, or use password_file`,
    );
    return invalid;
  }
  return new Secret(value, `env ${name}`);
}

function fromFile(file: string, node: Node, path: Path, ctx: DecodeContext): Decoded<Secret> {
  const at = valueNode(node, "password_file") ?? node;
  const where = [...path, "password_file"];
  const abs = ctx.io.resolvePath(file);
  const read = ctx.io.readFile(abs);
  if (read.kind === "error") {
    ctx.report(
      ConfigCode.secretUnavailable,
      at,
      where,
      `cannot read password file ${abs}: ${read.message}`,
      "relative paths are resolved from the config file's folder",
    );
    return invalid;
  }
  // Secret files usually end with one newline (echo, Kubernetes); it is not part of the password.
  const value = read.text.replace(/\r?\n$/, "");
  if (value === "") {
    ctx.report(ConfigCode.secretUnavailable, at, where, `password file ${abs} is empty`);
    return invalid;
  }
  return new Secret(value, `file ${abs}`);
}

function valueNode(map: Node, key: string): Node | null {
  if (!isMap(map)) return null;
  for (const pair of map.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) {
      return (pair.value as Node | null) ?? (pair.key as Node);
    }
  }
  return null;
}

function firstKey(node: Node): Node {
  if (isMap(node)) {
    const first = node.items[0];
    if (first !== undefined && isPair(first) && first.key !== null) return first.key as Node;
  }
  return node;
}
