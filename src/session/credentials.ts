import { parseNativeHash, sha1, stage1FromPassword } from "../protocol/native-password.js";
import { LoginRateLimiter, type LoginRateLimitOptions } from "./login-rate-limit.js";
import { UserConnections } from "./user-connections.js";

/**
 * What Sluice knows of each configured user: stage2 = SHA1(SHA1(password)) to verify clients and,
 * once known, stage1 = SHA1(password) to log in to backends. With a clear password both are known
 * at start; with the "*"+hex hash only, stage1 is learned from the first successful client login.
 */
export interface UserCredential {
  readonly name: string;
  readonly stage2: Buffer;
  stage1: Buffer | undefined;
  /** client connections this user may hold at once (0 or undefined: no per-user limit) */
  readonly maxConnections: number | undefined;
  /** the user may only log in over TLS */
  readonly requireTls: boolean;
}

/** Per-user login rules, shared by both password forms. */
export interface UserRules {
  readonly maxConnections?: number;
  readonly requireTls?: boolean;
}

export type UserSpec =
  | ({ readonly name: string; readonly password: string } & UserRules)
  | ({ readonly name: string; readonly passwordHash: string } & UserRules);

export interface CredentialStoreOptions {
  /** default per-user connection limit (MariaDB's max_user_connections); a user's own wins */
  readonly maxUserConnections?: number;
  /** failed-login rate limiting per client address; undefined: none */
  readonly loginRateLimit?: LoginRateLimitOptions;
}

/**
 * Users, their secrets and the login rules that go with them: per-user connection counts and the
 * failed-login limiter live here because every login path (handshake, COM_CHANGE_USER, admin)
 * already consults the store.
 */
export class CredentialStore {
  private readonly users = new Map<string, UserCredential>();
  readonly connections = new UserConnections();
  readonly limiter: LoginRateLimiter | undefined;

  constructor(specs: readonly UserSpec[], options: CredentialStoreOptions = {}) {
    this.limiter =
      options.loginRateLimit === undefined ? undefined : new LoginRateLimiter(options.loginRateLimit);
    for (const spec of specs) {
      const rules = {
        maxConnections: spec.maxConnections ?? options.maxUserConnections,
        requireTls: spec.requireTls ?? false,
      };
      if ("password" in spec) {
        const stage1 = spec.password === "" ? Buffer.alloc(0) : stage1FromPassword(spec.password);
        this.users.set(spec.name, {
          name: spec.name,
          stage1,
          stage2: stage1.length === 0 ? Buffer.alloc(0) : sha1(stage1),
          ...rules,
        });
      } else {
        const stage2 = parseNativeHash(spec.passwordHash);
        if (stage2 === undefined) {
          throw new Error(
            `user '${spec.name}': passwordHash must be '*' followed by 40 hex digits (as SELECT PASSWORD('...') prints it)`,
          );
        }
        this.users.set(spec.name, { name: spec.name, stage2, stage1: undefined, ...rules });
      }
    }
  }

  get(name: string): UserCredential | undefined {
    return this.users.get(name);
  }

  all(): UserCredential[] {
    return [...this.users.values()];
  }

  /** Records the stage1 token recovered from a verified client login. */
  learn(name: string, stage1: Buffer): void {
    const u = this.users.get(name);
    if (u !== undefined && u.stage1 === undefined) u.stage1 = stage1;
  }
}
