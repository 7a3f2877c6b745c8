import os from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import type { EmbeddedBroker } from '#broker';
import type { Environment } from '#contracts';

/** The rigs' MQTT listener address: SANDGLASS_MQTT_HOST, but this machine only when auth is off. */
export function mqttHost(env: Environment): string {
  return env.SANDGLASS_AUTH === 'off' ? '127.0.0.1' : env.SANDGLASS_MQTT_HOST;
}

/** Addresses a listener bound to `host` answers on: every local IPv4 address for a wildcard host. */
export function listenAddresses(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host];
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => a !== undefined && a.family === 'IPv4')
    .map((a) => a.address);
  return addresses.length > 0 ? addresses : ['127.0.0.1'];
}

/** The embedded broker's counters for /metrics: refused PUBLISHes and telemetry waiting for ingest. */
export function brokerMetrics(broker: EmbeddedBroker): Registry {
  const registry = new Registry();
  new Counter({
    name: 'sandglass_mqtt_refused_publishes_total',
    help: 'PUBLISH packets the embedded broker refused (the client is disconnected), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of broker.refusedPublishes) this.inc({ reason }, count);
    },
  });
  new Gauge({
    name: 'sandglass_mqtt_waiting_telemetry',
    help: 'Telemetry messages the embedded broker holds unacknowledged until ingest takes them',
    registers: [registry],
    collect() {
      this.set(broker.waitingTelemetry);
    },
  });
  return registry;
}
