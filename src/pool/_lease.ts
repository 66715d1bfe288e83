import type { Connection as RawConnection } from "mysql2";
import { ToolError } from "../errors/tool_error.ts";
import { connectionError } from "./_connection_error.ts";
import { DEAD, type Slot } from "./_slot.ts";
import type { PooledConnection, ServerFlavor } from "./types.ts";

/** What a Lease may ask of its Pool, kept off the pool's public surface. */
export interface LeaseOwner {
  /** Takes the slot back; resolves once it is clean again or gone. */
  release(slot: Slot): Promise<void>;
  discard(slot: Slot, reason: string): void;
  /** One round trip on the slot's connection under the pool's deadline; past it the connection is closed. */
  roundTrip<T>(slot: Slot, op: Promise<T>, what: string): Promise<T>;
}

const RESOLVED: Promise<void> = Promise.resolve();
const noop = () => {};

/** One loan of a Slot. A fresh object per acquire, so a stale handle cannot release someone else's loan. */
export class Lease implements PooledConnection {
  #done = false;
  readonly #owner: LeaseOwner;
  readonly #slot: Slot;

  constructor(owner: LeaseOwner, slot: Slot) {
    this.#owner = owner;
    this.#slot = slot;
  }

  get raw(): RawConnection {
    return this.#slot.session.raw;
  }

  get threadId(): number {
    return this.#slot.session.threadId;
  }

  get flavor(): ServerFlavor {
    return this.#slot.session.flavor;
  }

  get serverVersion(): string {
    return this.#slot.session.serverVersion;
  }

  get transport(): "tcp" | "socket" | "ssh" | undefined {
    return this.#slot.session.transport;
  }

  get authPlugin(): string | undefined {
    return this.#slot.session.authPlugin;
  }

  markDirty(): void {
    if (!this.#done) this.#slot.dirty = true;
  }

  holdLong(): void {
    // A stream holds its connection as long as the agent reads: not a leak.
    if (!this.#done) this.#slot.leakReported = true;
  }

  setReadOnly(readOnly: boolean): Promise<void> {
    const slot = this.#slot;
    if (this.#done) {
      return Promise.reject(new ToolError("INTERNAL_ERROR", "The connection was already released"));
    }
    if (slot.readOnly === readOnly) return RESOLVED;
    // A silent server must not hold the caller: past the deadline the connection is closed.
    return this.#owner.roundTrip(
      slot,
      slot.session.setReadOnly(readOnly),
      "setting the transaction mode",
    )
      .then(
        () => void (slot.readOnly = readOnly),
        (error) => {
          throw connectionError(error, "Cannot set the transaction mode");
        },
      );
  }

  release(): Promise<void> {
    if (this.#done) return RESOLVED;
    this.#done = true;
    return this.#owner.release(this.#slot);
  }

  discard(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#owner.discard(this.#slot, reason);
  }

  onDeath(callback: (error: Error) => void): () => void {
    const slot = this.#slot;
    if (this.#done) return noop;
    if (slot.state === DEAD) {
      const error = slot.deathError ?? new Error("connection closed");
      queueMicrotask(() => callback(error));
      return noop;
    }
    (slot.deathCallbacks ??= []).push(callback);
    return () => {
      const list = slot.deathCallbacks;
      const at = list ? list.indexOf(callback) : -1;
      if (at >= 0) list!.splice(at, 1);
    };
  }
}
