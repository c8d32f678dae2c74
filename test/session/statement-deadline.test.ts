import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StatementDeadline } from "../../src/session/statement-deadline.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("StatementDeadline: one timer per session, re-armed per statement", () => {
  it("stops the statement that runs past its limit, not one that ended in time", () => {
    const d = new StatementDeadline();
    const stop = vi.fn();
    d.start(500);
    d.onExpiry(stop);
    vi.advanceTimersByTime(400);
    d.clearExpiry();
    d.finish();
    vi.advanceTimersByTime(1000); // the old timer fires into an idle session: nothing happens
    expect(stop).not.toHaveBeenCalled();

    d.start(500);
    d.onExpiry(stop);
    vi.advanceTimersByTime(499);
    expect(stop).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(d.expired).toBe(true);
    d.finish();
    expect(d.expired).toBe(false);
  });

  it("measures each statement from its own start, on one timer while the limit stays the same", () => {
    const arm = vi.spyOn(globalThis, "setTimeout");
    const d = new StatementDeadline();
    const stop = vi.fn();
    for (let i = 0; i < 1000; i++) {
      d.start(300);
      d.onExpiry(stop);
      vi.advanceTimersByTime(200);
      d.finish();
    }
    expect(stop).not.toHaveBeenCalled();
    expect(arm).toHaveBeenCalledTimes(1);
    d.start(800); // another limit: a new timer
    d.onExpiry(stop);
    vi.advanceTimersByTime(700);
    expect(stop).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(arm).toHaveBeenCalledTimes(2);
    d.dispose();
  });

  it("destroys the connection a statement waits on, and one watched after expiry at once", () => {
    const d = new StatementDeadline();
    const first = { destroy: vi.fn() };
    const late = { destroy: vi.fn() };
    d.start(100);
    d.watch(first);
    vi.advanceTimersByTime(100);
    expect(first.destroy).toHaveBeenCalledTimes(1);
    d.watch(late);
    expect(late.destroy).toHaveBeenCalledTimes(1);
    const stop = vi.fn();
    d.onExpiry(stop); // a forwarder arriving after expiry stops at once
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it("a limit of 0 never fires, and an unwatched connection is left alone", () => {
    const d = new StatementDeadline();
    const conn = { destroy: vi.fn() };
    const stop = vi.fn();
    d.start(0);
    d.onExpiry(stop);
    d.watch(conn);
    vi.advanceTimersByTime(10_000);
    d.start(100);
    d.watch(conn);
    d.unwatch();
    vi.advanceTimersByTime(100);
    expect(conn.destroy).not.toHaveBeenCalled();
    expect(stop).not.toHaveBeenCalled();
    expect(d.expired).toBe(true);
  });
});
