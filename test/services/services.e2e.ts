import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { describeWithServices, testServices } from '../support/services.js';

describeWithServices('test services (scripts/services.sh)', () => {
  const clients: mqtt.MqttClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
  });

  it('Mosquitto delivers a QoS 1 message from a publisher to a subscriber', async () => {
    const { mqttUrl } = testServices();
    const topic = `sandglass/v1/smoke-${process.pid}/c1/telemetry`;
    const subscriber = await mqtt.connectAsync(mqttUrl, { clientId: `smoke-sub-${process.pid}` });
    const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `smoke-pub-${process.pid}` });
    clients.push(subscriber, publisher);
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const received = new Promise<string>((resolve) =>
      subscriber.on('message', (_t, payload) => resolve(payload.toString())),
    );
    const payload = JSON.stringify({ ts: Date.now(), v: 0.01, i: 0.001 });
    await publisher.publishAsync(topic, payload, { qos: 1 });
    expect(await received).toBe(payload);
  });

  it('InfluxDB stores a line-protocol point and returns it to InfluxQL', async () => {
    const { influxUrl } = testServices();
    const db = `smoke_${process.pid}`;
    const query = (q: string) =>
      fetch(`${influxUrl}/query?db=${db}&epoch=ms&q=${encodeURIComponent(q)}`, { method: 'POST' }).then((r) =>
        r.json(),
      );
    await query(`CREATE DATABASE ${db}`);
    const ts = Date.UTC(2026, 0, 1);
    const write = await fetch(`${influxUrl}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: `telemetry,rig=r1,cell=c1 v=0.0123,i=0.00113 ${ts}`,
    });
    expect(write.status).toBe(204);
    const result = (await query(`SELECT v, i FROM telemetry WHERE rig = 'r1'`)) as {
      results: { series?: { values: unknown[][] }[] }[];
    };
    expect(result.results[0]?.series?.[0]?.values).toEqual([[ts, 0.0123, 0.00113]]);
    await query(`DROP DATABASE ${db}`);
  });
});
