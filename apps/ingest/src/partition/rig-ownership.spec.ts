import { describe, expect, it } from 'vitest';
import { planOwnership, rendezvousOwner } from './rig-ownership.js';

const rigs = Array.from({ length: 60 }, (_, k) => `rig-${k}`);
const members = ['ingest-a', 'ingest-b', 'ingest-c'];

describe('rendezvousOwner', () => {
  it('spreads rigs over the members and moves only a leaving member’s rigs', () => {
    const before = new Map(rigs.map((r) => [r, rendezvousOwner(r, members)]));
    const counts = members.map((m) => [...before.values()].filter((o) => o === m).length);
    for (const n of counts) expect(n).toBeGreaterThan(10);
    const after = new Map(rigs.map((r) => [r, rendezvousOwner(r, ['ingest-a', 'ingest-c'])]));
    for (const rig of rigs) {
      if (before.get(rig) !== 'ingest-b') expect(after.get(rig)).toBe(before.get(rig));
      else expect(after.get(rig)).not.toBe('ingest-b');
    }
    // The same answer whatever the order the members are known in.
    for (const rig of rigs) expect(rendezvousOwner(rig, [...members].reverse())).toBe(before.get(rig));
  });
});

describe('planOwnership', () => {
  const view = (me: string, live: string[], claims: Array<[string, string]> = []) => ({
    me,
    rigs,
    live: new Set(live),
    claims: new Map(claims),
  });

  it('gives every rig to exactly one of the live processes', () => {
    const taken = members.flatMap((m) => planOwnership(view(m, members), new Set()).take);
    expect(taken.sort()).toEqual([...rigs].sort());
    const claimed = members.flatMap((m) => planOwnership(view(m, members), new Set()).claim);
    expect(claimed.sort()).toEqual([...rigs].sort());
  });

  it('keeps a live claimant’s rigs and takes over a dead one’s', () => {
    const claims = rigs.map((r): [string, string] => [r, rendezvousOwner(r, members)!]);
    const ofB = claims.filter(([, m]) => m === 'ingest-b').map(([r]) => r);
    const ownedA = new Set(claims.filter(([, m]) => m === 'ingest-a').map(([r]) => r));
    // b is gone: a and c split b's rigs, nothing else moves.
    const planA = planOwnership(view('ingest-a', ['ingest-a', 'ingest-c'], claims), ownedA);
    const ownedC = new Set(claims.filter(([, m]) => m === 'ingest-c').map(([r]) => r));
    const planC = planOwnership(view('ingest-c', ['ingest-a', 'ingest-c'], claims), ownedC);
    expect([...planA.take, ...planC.take].sort()).toEqual([...ofB].sort());
    expect(planA.take.length).toBeGreaterThan(0);
    expect(planC.take.length).toBeGreaterThan(0);
    expect(planA.release).toEqual([]);
    // b comes back: the rigs now claimed by a and c stay with them.
    const after = claims.map(([r, m]): [string, string] => [
      r,
      planA.claim.includes(r) ? 'ingest-a' : planC.claim.includes(r) ? 'ingest-c' : m,
    ]);
    const back = planOwnership(view('ingest-b', members, after), new Set());
    expect(back.take).toEqual([]);
    // A rig claimed by another live process is released (two processes raced for it).
    const race = planOwnership(view('ingest-a', members, [[ofB[0]!, 'ingest-b']]), new Set([ofB[0]!]));
    expect(race.release).toEqual([ofB[0]]);
  });
});
