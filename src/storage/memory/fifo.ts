/** A first-in first-out list with O(1) push and shift, iterable from oldest to newest. */
export class Fifo<T> implements Iterable<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Number of items held. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends an item at the newest end. */
  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Reclaim the consumed prefix once it is at least half of the array: amortised O(1).
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Iterates from oldest to newest. */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
