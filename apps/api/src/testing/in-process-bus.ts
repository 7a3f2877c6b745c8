import { type MessageHandler, type MqttBus, type QoS, topicMatches } from '../mqtt/mqtt-bus.js';

/**
 * An MqttBus that delivers in-process with MQTT's topic matching and retained messages: for unit tests
 * of the services and the gateway without a broker. `up` simulates the broker connection.
 */
export class InProcessBus implements MqttBus {
  up = true;
  readonly published: Array<{ topic: string; payload: string; qos: QoS; retain: boolean }> = [];
  private readonly handlers = new Set<{ filter: string; handler: MessageHandler }>();
  private readonly retained = new Map<string, string>();

  async publish(topic: string, payload: string, options: { qos: QoS; retain?: boolean }): Promise<void> {
    if (!this.up) throw new Error('not connected');
    const retain = options.retain ?? false;
    this.published.push({ topic, payload, qos: options.qos, retain });
    if (retain) this.retained.set(topic, payload);
    for (const entry of [...this.handlers]) {
      if (topicMatches(entry.filter, topic)) entry.handler(topic, Buffer.from(payload));
    }
  }

  async subscribe(filter: string, _qos: QoS, handler: MessageHandler): Promise<() => void> {
    const entry = { filter, handler };
    this.handlers.add(entry);
    for (const [topic, payload] of this.retained) {
      if (topicMatches(filter, topic)) handler(topic, Buffer.from(payload));
    }
    return () => this.handlers.delete(entry);
  }

  connected(): boolean {
    return this.up;
  }
}
