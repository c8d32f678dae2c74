/**
 * Client connections per user, for max_user_connections. A connection counts from its successful
 * login until its socket closes, whatever ends it (quit, error, KILL, a backend failure after
 * login), so the count cannot leak; COM_CHANGE_USER moves it from one user to the other.
 * Keyed by an opaque handle (the client socket) so the owner needs no id bookkeeping.
 */
export interface ClosableHandle {
  once(event: "close", listener: () => void): unknown;
}

export class UserConnections {
  private readonly byUser = new Map<string, number>();
  private readonly owner = new Map<ClosableHandle, string>();

  count(user: string): number {
    return this.byUser.get(user) ?? 0;
  }

  /**
   * Counts `handle` as a connection of `user` unless that would exceed `limit` (undefined or 0:
   * no limit). A handle already counted for another user moves. Returns false when refused (the
   * handle then keeps counting for its previous user, if any).
   */
  claim(handle: ClosableHandle, user: string, limit: number | undefined): boolean {
    const previous = this.owner.get(handle);
    if (previous === user) return true;
    if (limit !== undefined && limit > 0 && this.count(user) >= limit) return false;
    if (previous !== undefined) this.decrement(previous);
    else handle.once("close", () => this.release(handle));
    this.owner.set(handle, user);
    this.byUser.set(user, this.count(user) + 1);
    return true;
  }

  release(handle: ClosableHandle): void {
    const user = this.owner.get(handle);
    if (user === undefined) return;
    this.owner.delete(handle);
    this.decrement(user);
  }

  private decrement(user: string): void {
    const n = this.count(user) - 1;
    if (n <= 0) this.byUser.delete(user);
    else this.byUser.set(user, n);
  }
}
