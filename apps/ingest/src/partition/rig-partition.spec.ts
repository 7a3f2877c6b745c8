import { describe, expect, it } from 'vitest';
import { rendezvousOwner } from './rig-ownership.js';
import { presenceTopic, RigPartition, type PartitionConnection } from './rig-partition.js';

const rigs = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A broker connection that records what the partition did, in order. */
function fakes() {
  const steps: string[] = [];
  let connected: () => void = () => undefined;
  const connection: PartitionConnection = {
    onConnect: (listener) => (connected = listener),
    publishRetained: (topic, payload) =>
      void steps.push(`publish ${topic}=${payload ? payload.slice(0, 8) : ''}`),
    subscribeFilters: () => Promise.resolve(),
    setTelemetryRigs: (set) => Promise.resolve(void steps.push(`telemetry ${[...set].sort().join(',')}`)),
  };
  const cells = {
    restore: (set: ReadonlySet<string>) =>
      Promise.resolve(void steps.push(`restore ${[...set].sort().join(',')}`)),
    release: (set: ReadonlySet<string>) =>
      Promise.resolve(void steps.push(`release ${[...set].sort().join(',')}`)),
  };
  return { steps, connection, cells, connect: () => connected() };
}

describe('RigPartition', () => {
  it('takes its share after the settle time, restoring before subscribing, and a dead peer’s rigs', async () => {
    const { steps, connection, cells, connect } = fakes();
    const partition = new RigPartition('a', rigs, 0, connection, cells, silent);
    connect();
    const members = ['a', 'b'];
    partition.onMessage(presenceTopic('b'), Buffer.from('{"since":1}'));
    await settle();
    const mine = rigs.filter((r) => rendezvousOwner(r, members) === 'a');
    const theirs = rigs.filter((r) => rendezvousOwner(r, members) === 'b');
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    expect(steps[0]).toBe('publish sandglass/cluster/ingest/members/a={"since"');
    const restoreAt = steps.indexOf(`restore ${mine.join(',')}`);
    expect(restoreAt).toBeGreaterThan(0);
    expect(steps[restoreAt + 1]).toBe(`telemetry ${mine.join(',')}`);
    for (const rig of mine) expect(steps).toContain(`publish sandglass/cluster/ingest/rigs/${rig}=a`);
    for (const rig of theirs) partition.onMessage(`sandglass/cluster/ingest/rigs/${rig}`, Buffer.from('b'));
    expect([...partition.ownedRigs].sort()).toEqual(mine);

    // b's will clears its presence: a takes b's rigs from their checkpoints.
    steps.length = 0;
    partition.onMessage(presenceTopic('b'), Buffer.alloc(0));
    await settle();
    expect(steps).toContain(`restore ${theirs.join(',')}`);
    expect(steps.at(-1)).toBe(`telemetry ${rigs.join(',')}`);
    expect(partition.owns(theirs[0]!)).toBe(true);

    // A rig another live process claimed (a race) is released: unsubscribed, then checkpointed.
    steps.length = 0;
    partition.onMessage(presenceTopic('c'), Buffer.from('{"since":2}'));
    partition.onMessage('sandglass/cluster/ingest/rigs/r0', Buffer.from('c'));
    await settle();
    expect(steps).toEqual([`telemetry ${rigs.slice(1).join(',')}`, 'release r0']);
    expect(partition.owns('r0')).toBe(false);

    partition.leave();
    expect(steps.at(-1)).toBe('publish sandglass/cluster/ingest/members/a=');
  });
});
