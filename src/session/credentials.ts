import { parseNativeHash, sha1, stage1FromPassword } from "../protocol/native-password.js";

/**
 * What Sluice knows of each configured user: stage2 = SHA1(SHA1(password)) to verify clients and,
 * once known, stage1 = SHA1(password) to log in to backends. With a clear password both are known
 * at start; with the "*"+hex hash only, stage1 is learned from the first successful client login.
 */
export interface UserCredential {
  readonly name: string;
  readonly stage2: Buffer;
  stage1: Buffer | undefined;
}

export type UserSpec =
  | { readonly name: string; readonly password: string }
  | { readonly name: string; readonly passwordHash: string };

export class CredentialStore {
  private readonly users = new Map<string, UserCredential>();

  constructor(specs: readonly UserSpec[]) {
    for (const spec of specs) {
      if ("password" in spec) {
        const stage1 = spec.password === "" ? Buffer.alloc(0) : stage1FromPassword(spec.password);
        this.users.set(spec.name, {
          name: spec.name,
          stage1,
          stage2: stage1.length === 0 ? Buffer.alloc(0) : sha1(stage1),
        });
      } else {
        const stage2 = parseNativeHash(spec.passwordHash);
        if (stage2 === undefined) {
          throw new Error(
            `user '${spec.name}': passwordHash must be '*' followed by 40 hex digits (as SELECT PASSWORD('...') prints it)`,
          );
        }
        this.users.set(spec.name, { name: spec.name, stage2, stage1: undefined });
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
