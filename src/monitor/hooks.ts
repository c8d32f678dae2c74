/**
 * Running hooks (I/O): spawned without a shell, killed after their timeout, output captured
 * (bounded) and logged. Hooks run only on monitor events, never on anything a client sends.
 */
import { spawn } from "node:child_process";
import type { HookInvocation } from "./hook-invocation.js";

export interface HookResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly error: string | null;
  readonly durationMs: number;
}

const MAX_OUTPUT = 16 * 1024;

export function runHook(inv: HookInvocation, timeoutMs: number): Promise<HookResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let error: string | null = null;
    const child = spawn(inv.file, [...inv.args], {
      env: { ...process.env, ...inv.env },
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk.toString("utf8").slice(0, MAX_OUTPUT - stdout.length);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk.toString("utf8").slice(0, MAX_OUTPUT - stderr.length);
    });
    child.on("error", (e) => {
      error = e.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code, signal, timedOut, stdout, stderr, error, durationMs: Date.now() - started });
    });
  });
}
