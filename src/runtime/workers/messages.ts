/**
 * What the primary process and its workers say to each other over the cluster IPC channel. All
 * plain data (structured clone): texts, numbers, snapshots — never live objects.
 */
import type { ActionOutcome, AdminSnapshot } from "../../admin/admin-snapshot.js";
import type { DigestEntryExport } from "../../admin/digests.js";
import type { MetricFamily } from "../../admin/prometheus-text.js";
import type { Topology } from "../../monitor/types.js";
import type { SourceFile } from "../../policy/pipeline.js";
import type { ConfigText } from "../runtime-sources.js";

/** A config and policy the primary checked, as texts: a worker parses and compiles the very same. */
export interface RuntimeTexts {
  readonly config: ConfigText;
  readonly policy: readonly SourceFile[];
  /** the policy's generation (one per successful load) */
  readonly generation: number;
}

/** Which worker a process is: number `slot` (1…`workers`) of `workers`. */
export interface WorkerPlacement {
  readonly slot: number;
  readonly workers: number;
}

/** One worker's answer to a snapshot request: only plain data, merged by the primary. */
export interface WorkerSnapshot {
  readonly slot: number;
  readonly pid: number;
  readonly policy: { readonly version: string; readonly hash: string };
  readonly clients: { readonly open: number; readonly accepted: number };
  /** for admin commands: the worker's AdminSnapshot with digests in mergeable form */
  readonly admin: WorkerAdminPart | null;
  /** for /metrics: `registry.collect()` */
  readonly metrics: readonly MetricFamily[] | null;
}

export type WorkerAdminPart = Omit<AdminSnapshot, "digests" | "policy" | "workers"> & {
  readonly digests: readonly DigestEntryExport[];
};

/** Requests the primary sends and waits for an answer to (each has an id; see WorkerReply). */
export type WorkerRequest =
  /** phase one of a reload: parse and compile, keep aside, say the hash */
  | { readonly kind: "prepare"; readonly texts: RuntimeTexts }
  /** phase two: swap in what `prepare` of this generation kept */
  | { readonly kind: "commit"; readonly generation: number }
  | { readonly kind: "snapshot"; readonly admin: boolean; readonly metrics: boolean }
  | { readonly kind: "kill"; readonly session: number; readonly scope?: "connection" | "query" }
  /** SIGUSR2 reached the primary (logrotate moved the log files): reopen them at their paths */
  | { readonly kind: "reopen" };

export type WorkerReply =
  | { readonly kind: "prepared"; readonly version: string; readonly hash: string }
  | { readonly kind: "prepare_failed"; readonly report: string }
  | { readonly kind: "committed"; readonly version: string; readonly hash: string }
  | { readonly kind: "snapshot"; readonly snapshot: WorkerSnapshot }
  | { readonly kind: "killed"; readonly outcome: ActionOutcome }
  | { readonly kind: "reopened" };

export type ToWorker =
  | {
      readonly kind: "start";
      readonly placement: WorkerPlacement;
      readonly texts: RuntimeTexts;
      readonly topology: Topology | null;
    }
  | { readonly kind: "topology"; readonly topology: Topology }
  | { readonly kind: "request"; readonly id: number; readonly request: WorkerRequest }
  /** a reload did not get every worker's agreement: drop what `prepare` kept */
  | { readonly kind: "abort"; readonly generation: number }
  /** SIGTERM reached the primary: stop accepting, let transactions finish, exit */
  | { readonly kind: "drain" };

export type FromWorker =
  /** the worker listens for messages: send it "start" */
  | { readonly kind: "hello" }
  | { readonly kind: "ready"; readonly pid: number; readonly version: string; readonly hash: string }
  | { readonly kind: "start_failed"; readonly report: string }
  | { readonly kind: "reply"; readonly id: number; readonly reply: WorkerReply }
  /** drained and closed; exits next */
  | { readonly kind: "stopped" };

const toWorkerKinds = new Set<string>(["start", "topology", "request", "abort", "drain"]);
const fromWorkerKinds = new Set<string>(["hello", "ready", "start_failed", "reply", "stopped"]);

/** Node's own cluster messages share the channel; these tell ours apart. */
export function isToWorker(m: unknown): m is ToWorker {
  return hasKind(m, toWorkerKinds);
}

export function isFromWorker(m: unknown): m is FromWorker {
  return hasKind(m, fromWorkerKinds);
}

function hasKind(m: unknown, kinds: ReadonlySet<string>): boolean {
  return (
    typeof m === "object" && m !== null && "kind" in m && typeof m.kind === "string" && kinds.has(m.kind)
  );
}
