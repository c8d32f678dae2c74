export type { ConfigDiagnostic, ConfigDiagnosticCode } from "./diagnostic.js";
export { ConfigCode, formatConfigDiagnostic } from "./diagnostic.js";
export { type ConfigInput, type LoadOptions, loadConfig } from "./load.js";
export { type ConfigResult, parseConfig } from "./parse-config.js";
export { Secret } from "./secret.js";
export type * from "./types.js";
