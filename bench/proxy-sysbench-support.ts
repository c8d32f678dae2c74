/**
 * Kept for bench/proxy-sysbench.ts (one oltp_read_write run, direct vs Sluice); the general
 * pieces live in bench/sysbench/sysbench.ts and bench/targets/.
 */
import { sysbenchRun as runSpec, type SysbenchResult, type SysbenchTarget } from "./sysbench/sysbench.js";

export {
  parseSysbench,
  SYSBENCH_TABLE_SIZE,
  SYSBENCH_TABLES,
  type SysbenchResult,
  type SysbenchTarget,
  sysbenchPrepare,
} from "./sysbench/sysbench.js";

export function sysbenchRun(
  target: SysbenchTarget,
  threads: number,
  seconds: number,
): Promise<SysbenchResult> {
  return runSpec(target, { workload: "read_write", threads, seconds, psMode: "auto" });
}
