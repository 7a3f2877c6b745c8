import { afterAll, beforeAll, expect, it } from 'vitest';
import { telemetryTopic, type RejectedMessage } from '#contracts';
import { describeWithServices, testServices } from '../support/services.js';
import {
  T0,
  connectPublisher,
  influxStore,
  startIngest,
  storedCount,
  until,
  type IngestProcess,
  ownIngestSettings,
} from './support.js';

const CELLS = ['c1', 'c2', 'c3', 'c4'];
const PER_CELL = 250;

describeWithServices('ingest: validation end to end (Mosquitto + InfluxDB)', () => {
  let ingest: IngestProcess;
  let rig: string;
  let db: string;

  beforeAll(async () => {
    const settings = ownIngestSettings('ingest_validation', testServices());
    ({ rig, db } = settings);
    ingest = await startIngest(settings);
  });
  afterAll(async () => {
    await ingest?.stop();
  });

  it('stores exactly the good samples and rejects every bad one with its reason', async () => {
    const { mqttUrl, influxUrl } = testServices();
    const watcher = await connectPublisher(mqttUrl);
    const rejected: { cell: string; message: RejectedMessage }[] = [];
    watcher.on('message', (topic, payload) => {
      rejected.push({
        cell: topic.split('/')[3]!,
        message: JSON.parse(payload.toString()) as RejectedMessage,
      });
    });
    await watcher.subscribeAsync(`sandglass/v1/${rig}/+/rejected`, { qos: 0 });

    const pub = await connectPublisher(mqttUrl);
    const good = (seq: number) => ({ ts: T0 + seq * 100, v: 0.01 + seq * 1e-6, i: 0.001, t: 25, p: 5, seq });
    const bad: { cell: string; payload: string; reason: RejectedMessage['reason'] }[] = [
      { cell: 'c1', payload: '{"ts": 1', reason: 'bad-json' },
      { cell: 'c2', payload: '"text"', reason: 'not-object' },
      { cell: 'c3', payload: JSON.stringify({ ts: T0, v: 0.1 }), reason: 'missing-field' },
      { cell: 'c4', payload: JSON.stringify({ ts: T0, v: '0.1', i: 0 }), reason: 'bad-type' },
      { cell: 'c1', payload: `{"ts": ${T0}, "v": 1e999, "i": 0}`, reason: 'not-finite' },
      { cell: 'c2', payload: JSON.stringify({ ts: T0, v: 5000, i: 0 }), reason: 'out-of-range' },
      { cell: 'c3', payload: JSON.stringify({ ts: 12, v: 0, i: 0 }), reason: 'ts-out-of-range' },
      { cell: 'c4', payload: '[]', reason: 'empty' },
      { cell: 'c1', payload: JSON.stringify([good(0)]).padEnd(1024 * 1024 + 10, ' '), reason: 'too-large' },
    ];

    // Good samples: singles and arrays, with the bad messages and bad array members in between.
    let badIndex = 0;
    for (const cell of CELLS) {
      const topic = telemetryTopic(rig, cell);
      for (let seq = 0; seq < PER_CELL;) {
        if (seq % 50 === 10) {
          const batch = [good(seq), { ts: T0, v: null, i: 0 }, good(seq + 1), good(seq + 2)];
          await pub.publishAsync(topic, JSON.stringify(batch), { qos: 1 });
          seq += 3;
        } else {
          await pub.publishAsync(topic, JSON.stringify(good(seq)), { qos: 1 });
          seq += 1;
        }
        if (seq % 40 === 0 && badIndex < bad.length) {
          const b = bad[badIndex++]!;
          await pub.publishAsync(telemetryTopic(rig, b.cell), b.payload, { qos: 1 });
        }
      }
      // A duplicate of an accepted sample: dropped, not stored twice, not a rejection.
      await pub.publishAsync(topic, JSON.stringify(good(5)), { qos: 1 });
    }
    while (badIndex < bad.length) {
      const b = bad[badIndex++]!;
      await pub.publishAsync(telemetryTopic(rig, b.cell), b.payload, { qos: 1 });
    }

    const store = influxStore(influxUrl, db);
    await until(
      async () => (await ingest.health()).samples.stored >= CELLS.length * PER_CELL,
      'samples stored',
    );
    const counts = await Promise.all(CELLS.map((cell) => storedCount(store, rig, cell)));
    expect(counts, await ingest.metrics()).toEqual(CELLS.map(() => PER_CELL));

    const arrayMembers = CELLS.length * 5; // one null `v` in each array message
    await until(() => rejected.length >= bad.length + arrayMembers, 'rejections published');
    for (const b of bad) {
      expect(
        rejected.some((r) => r.cell === b.cell && r.message.reason === b.reason),
        b.reason,
      ).toBe(true);
    }
    const inArrays = rejected.filter((r) => r.message.index === 1);
    expect(inArrays).toHaveLength(arrayMembers);
    expect(inArrays.every((r) => r.message.reason === 'missing-field')).toBe(true);
    expect(rejected.every((r) => r.message.payload.length <= 1024)).toBe(true);

    const metrics = await ingest.metrics();
    expect(metrics).toMatch(/sandglass_ingest_duplicates_total 4/);
    expect(metrics).toMatch(/sandglass_ingest_rejected_total\{reason="too-large"\} 1/);
    expect(metrics).toMatch(
      new RegExp(`sandglass_ingest_cell_samples_total\\{rig="${rig}",cell="c1"\\} ${PER_CELL}`),
    );
    expect((await ingest.health()).status).toBe('ok');
    await pub.endAsync();
    await watcher.endAsync();
  });
});
