/**
 * The last `capacity` ids seen, to ignore a repeat of an outbox event on the node that handled
 * it first (an event whose deletion was lost is claimed again when its lease ends). Bounded: the
 * oldest id is forgotten first.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered, false for a repeat. */
  add(id: string | undefined): boolean {
    if (id === undefined) return true;
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
