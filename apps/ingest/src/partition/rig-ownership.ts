import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing, Thaler & Ravishankar, "Using name-based mappings to
 * increase hit rates", IEEE/ACM Trans. Networking 6(1), 1998: every member scores every rig and the
 * highest score wins, so when a member leaves only its own rigs move, spread over the others.
 */
export function rendezvousOwner(rigId: string, members: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const score = createHash('sha1').update(`${member}\u0000${rigId}`).digest().readUIntBE(0, 6);
    if (score > bestScore || (score === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}

/** What one ingest process knows of the others: who is live and which process claimed each rig. */
export interface OwnershipView {
  me: string;
  /** The rigs the processes share (SANDGLASS_INGEST_RIGS). */
  rigs: readonly string[];
  /** Processes whose presence is on the broker (this one included). */
  live: ReadonlySet<string>;
  /** Rig → the process that last claimed it (retained on the broker). */
  claims: ReadonlyMap<string, string>;
}

export interface OwnershipPlan {
  /** Rigs to claim on the broker (no live process holds them and the hash picks this one). */
  claim: string[];
  /** Rigs to start taking: restore their cells from the checkpoints, then subscribe. */
  take: string[];
  /** Rigs another live process holds now: stop, checkpoint, forget. */
  release: string[];
}

/**
 * Who takes which rig. A claim by a live process stands (a rig moves only when its process is gone, so a
 * process that comes back does not pull rigs from under the others mid-stream); a rig without a live
 * claimant goes to the rendezvous winner among the live processes.
 */
export function planOwnership(view: OwnershipView, owned: ReadonlySet<string>): OwnershipPlan {
  const plan: OwnershipPlan = { claim: [], take: [], release: [] };
  const live = new Set(view.live).add(view.me);
  for (const rig of view.rigs) {
    const claimant = view.claims.get(rig);
    const owner = claimant !== undefined && live.has(claimant) ? claimant : rendezvousOwner(rig, live);
    if (owner === view.me) {
      if (claimant !== view.me) plan.claim.push(rig);
      if (!owned.has(rig)) plan.take.push(rig);
    } else if (owned.has(rig)) plan.release.push(rig);
  }
  return plan;
}
