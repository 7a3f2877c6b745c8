import type { IngestLogger } from '../pipeline/telemetry-intake.js';
import { planOwnership } from './rig-ownership.js';

/** Topics the partitioned ingest processes meet on (outside `sandglass/v1`, which rigs publish to). */
export const PARTITION_ROOT = 'sandglass/cluster/ingest';
const MEMBERS = `${PARTITION_ROOT}/members/`;
const RIGS = `${PARTITION_ROOT}/rigs/`;

/** The retained presence of a process; the will (an empty retained message) clears it. */
export function presenceTopic(clientId: string): string {
  return MEMBERS + clientId;
}

/** What the partition needs of the broker connection (MqttConnection). */
export interface PartitionConnection {
  onConnect(listener: () => void): void;
  publishRetained(topic: string, payload: string): void;
  subscribeFilters(filters: readonly string[]): Promise<void>;
  setTelemetryRigs(rigs: ReadonlySet<string>): Promise<void>;
}

/** What the partition needs of the detection: continue rigs from their checkpoints, hand rigs over. */
export interface PartitionCells {
  restore(rigs: ReadonlySet<string>): Promise<void>;
  release(rigs: ReadonlySet<string>): Promise<void>;
}

/**
 * Hash partitioning of the rigs among ingest processes sharing a broker (SANDGLASS_INGEST_PARTITION=hash).
 * Mosquitto's `$share` groups hand each message to the next subscriber in turn, so two samples of one
 * cell could be judged by two processes out of order; here each rig is taken by exactly one process,
 * subscribed to that rig's topics alone, which keeps its cells' samples in order.
 *
 * Each process keeps a retained presence message (cleared by its MQTT will when it dies) and the claims
 * of rigs (retained). A rig without a live claimant goes to the rendezvous winner among the live
 * processes, which claims it, restores its cells from their checkpoints (replaying the samples stored
 * since) and only then subscribes to its telemetry.
 */
export class RigPartition {
  private readonly owned = new Set<string>();
  private readonly live = new Set<string>();
  private readonly claims = new Map<string, string>();
  private settled = false;
  private settleTimer: NodeJS.Timeout | undefined;
  private working: Promise<void> = Promise.resolve();
  private pending = false;
  /** Times rigs were taken (at start or from a failed process) and released. */
  taken = 0;
  released = 0;

  constructor(
    private readonly me: string,
    private readonly rigs: readonly string[],
    private readonly settle_ms: number,
    private readonly connection: PartitionConnection,
    private readonly cells: PartitionCells,
    private readonly logger: IngestLogger,
  ) {
    connection.onConnect(() => this.connected());
  }

  /** The will MqttConnection registers at connect. */
  static will(clientId: string) {
    return { topic: presenceTopic(clientId), payload: '', qos: 1 as const, retain: true as const };
  }

  get ownedRigs(): ReadonlySet<string> {
    return this.owned;
  }

  owns(rigId: string): boolean {
    return this.owned.has(rigId);
  }

  handles(topic: string): boolean {
    return topic.startsWith(PARTITION_ROOT);
  }

  onMessage(topic: string, payload: Buffer): void {
    const value = payload.toString('utf8');
    if (topic.startsWith(MEMBERS)) {
      const member = topic.slice(MEMBERS.length);
      if (value) this.live.add(member);
      else this.live.delete(member);
    } else if (topic.startsWith(RIGS)) {
      const rig = topic.slice(RIGS.length);
      if (value) this.claims.set(rig, value);
      else this.claims.delete(rig);
    } else return;
    if (this.settled) this.evaluate();
  }

  /**
   * At shutdown, before the broker connection closes (a clean DISCONNECT sends no will): the others take
   * this process's rigs over at once, from their last checkpoints.
   */
  leave(): void {
    clearTimeout(this.settleTimer);
    this.connection.publishRetained(presenceTopic(this.me), '');
  }

  private connected(): void {
    this.connection.publishRetained(presenceTopic(this.me), JSON.stringify({ since: Date.now() }));
    this.connection.subscribeFilters([`${MEMBERS}+`, `${RIGS}+`]).then(
      () => {
        // The retained presences and claims arrive with the SUBACK; peers starting at the same time
        // announce themselves within the settle time, so the first one up does not take every rig.
        if (this.settled) this.evaluate();
        else this.settleTimer ??= setTimeout(() => ((this.settled = true), this.evaluate()), this.settle_ms);
      },
      (error: unknown) => this.logger.error(`partition: subscribe failed (${String(error)})`),
    );
  }

  /** Applies the ownership plan, one change at a time (coalescing messages that arrive meanwhile). */
  private evaluate(): void {
    if (this.pending) return;
    this.pending = true;
    this.working = this.working
      .then(() => {
        this.pending = false;
        return this.apply();
      })
      .catch((error: unknown) => this.logger.error(`partition: ${String(error)}`));
  }

  private async apply(): Promise<void> {
    const plan = planOwnership(
      { me: this.me, rigs: this.rigs, live: this.live, claims: this.claims },
      this.owned,
    );
    for (const rig of plan.claim) {
      this.claims.set(rig, this.me);
      this.connection.publishRetained(RIGS + rig, this.me);
    }
    if (plan.release.length > 0) {
      const rigs = new Set(plan.release);
      for (const rig of rigs) this.owned.delete(rig);
      await this.connection.setTelemetryRigs(this.owned);
      await this.cells.release(rigs);
      this.released += rigs.size;
      this.logger.log(`partition: released ${plan.release.join(', ')} (taken by another process)`);
    }
    if (plan.take.length > 0) {
      const started = Date.now();
      const rigs = new Set(plan.take);
      await this.cells.restore(rigs);
      for (const rig of rigs) this.owned.add(rig);
      await this.connection.setTelemetryRigs(this.owned);
      this.taken += rigs.size;
      this.logger.log(
        `partition: took ${plan.take.join(', ')} in ${Date.now() - started} ms ` +
          `(${this.live.size} live processes; own ${[...this.owned].sort().join(', ')})`,
      );
    }
  }
}
