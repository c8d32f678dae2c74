const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * A password or other credential read from the environment or a file at load time. Every way a
 * value can reach a log line (string interpolation, JSON.stringify, util.inspect, pino's
 * serialisers) prints `[redacted]`; only an explicit `reveal()` gives the value, so a grep for
 * `reveal(` finds every place that handles one.
 */
export class Secret {
  readonly #value: string;
  /** where it came from, safe to print: `env SLUICE_APP_PASSWORD`, `file /run/secrets/app` */
  readonly origin: string;

  constructor(value: string, origin: string) {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-time-ish equality without revealing either value to the caller. */
  equals(other: Secret): boolean {
    const a = this.#value;
    const b = other.#value;
    let diff = a.length ^ b.length;
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
    return diff === 0;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspectCustom](): string {
    return "[redacted]";
  }
}
