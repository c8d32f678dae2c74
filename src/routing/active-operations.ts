/**
 * Statements in flight per server, the figure `least-active` balances on. A counter that leaks
 * (an error path that forgets to decrement) skews balancing forever — MaxScale shipped clean-up
 * code for exactly that — so an operation is a token whose `end()` is idempotent, and a session
 * that closes ends every token it still holds.
 */
export class ActiveOperations {
  private readonly counts = new Map<string, number>();

  get(server: string): number {
    return this.counts.get(server) ?? 0;
  }

  /** Sum over all servers: zero whenever nothing runs, which tests check after every workload. */
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  begin(server: string): OperationToken {
    this.counts.set(server, this.get(server) + 1);
    let ended = false;
    return {
      server,
      end: () => {
        if (ended) return;
        ended = true;
        const left = this.get(server) - 1;
        if (left <= 0) this.counts.delete(server);
        else this.counts.set(server, left);
      },
    };
  }
}

export interface OperationToken {
  readonly server: string;
  /** Ends the operation; calling it again does nothing. */
  end(): void;
}
