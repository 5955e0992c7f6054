import { Injectable } from '@nestjs/common';

/**
 * The work in flight on this node (HTTP requests and socket events), and whether the node is
 * draining: once it is, new work is turned away (`503 UNAVAILABLE`, so clients retry on another
 * node) while what had started runs to its end.
 */
@Injectable()
export class Drain {
  private inFlight = 0;
  private draining = false;
  private waiters: (() => void)[] = [];

  get isDraining(): boolean {
    return this.draining;
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Counts one piece of work until `done` is called (once). */
  enter(): () => void {
    this.inFlight += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Counts `work` while it runs. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    const done = this.enter();
    try {
      return await work();
    } finally {
      done();
    }
  }

  /** Turns new work away from now on; resolves when the work in flight has ended, or after `timeoutMs`. */
  async start(timeoutMs: number): Promise<{ drained: boolean }> {
    this.draining = true;
    if (this.inFlight === 0) return { drained: true };
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ drained: false }), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve({ drained: true });
      });
    });
  }
}
