import type { SluiceConfig } from "../../config/index.js";
import type { Topology } from "../../monitor/types.js";
import type { ActivePolicy } from "../active-policy.js";
import type { ProxyOptions } from "../proxy-options.js";

/**
 * What makes a SluiceRuntime one worker of `sluice serve --workers N` instead of the whole
 * Sluice: the config and policy come checked from the primary process, routing reads the
 * topology the primary's monitor published, and the proxy options get this worker's share.
 */
export interface WorkerHooks {
  readonly loaded: {
    readonly kind: "ok";
    readonly config: SluiceConfig;
    readonly policy: ActivePolicy;
    /** empty: the primary has logged the policy's warnings */
    readonly warnings: "";
  };
  /** the topology last received from the primary; null before the first */
  topology(): Topology | null;
  /** this worker's pool share and session ids on top of the options the config gives */
  proxyOptions(fromConfig: ProxyOptions): ProxyOptions;
}
