import pino, { type Logger } from "pino";

/**
 * Sluice's logger when the caller gives none: quiet unless SLUICE_LOG_LEVEL says otherwise.
 * Passwords and auth tokens never reach the log (redacted by path, whatever a caller logs).
 */
export function createProxyLogger(level = process.env.SLUICE_LOG_LEVEL ?? "warn"): Logger {
  return pino({
    level,
    base: { component: "proxy" },
    redact: {
      paths: [
        "password",
        "*.password",
        "passwordHash",
        "*.passwordHash",
        "stage1",
        "*.stage1",
        "authResponse",
        "*.authResponse",
      ],
      censor: "[redacted]",
    },
  });
}
