/**
 * The listener half of a BandLink, shared by every transport: subscriptions return
 * their own unsubscribe, and delivery iterates over a copy so a listener may
 * unsubscribe while being called. A disconnect listener's failure is not the link's.
 */
export class LinkListeners {
  private readonly fragmentFns = new Set<(fragment: Uint8Array) => void>();
  private readonly downFns = new Set<(reason: string) => void>();

  onNotify(fn: (fragment: Uint8Array) => void): () => void {
    this.fragmentFns.add(fn);
    return () => this.fragmentFns.delete(fn);
  }

  onDisconnect(fn: (reason: string) => void): () => void {
    this.downFns.add(fn);
    return () => this.downFns.delete(fn);
  }

  fragment(bytes: Uint8Array): void {
    for (const fn of [...this.fragmentFns]) fn(bytes);
  }

  down(reason: string): void {
    for (const fn of [...this.downFns]) {
      try {
        fn(reason);
      } catch {
        // a listener's failure is not the link's
      }
    }
  }
}
