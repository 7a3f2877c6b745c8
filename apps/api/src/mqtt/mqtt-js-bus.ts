import { Logger } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import { type MessageHandler, type MqttBus, type QoS, topicMatches } from './mqtt-bus.js';

export interface MqttJsBusOptions {
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
}

/**
 * MqttBus over mqtt 5 (mqtt.js). Clean session: the api is stateless and learns the present state from
 * the live stream and the store; mqtt.js re-subscribes after a reconnect.
 */
export class MqttJsBus implements MqttBus {
  private readonly logger = new Logger('MqttBus');
  private readonly client: MqttClient;
  private readonly handlers = new Set<{ filter: string; handler: MessageHandler }>();

  constructor(options: MqttJsBusOptions) {
    this.client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `sandglass-api-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      username: options.username,
      password: options.password,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      protocolVersion: 4,
    });
    this.client.on('connect', () => {
      // Alerts are small and latency matters more than packet count: no Nagle delay.
      (this.client.stream as Partial<Socket> | undefined)?.setNoDelay?.(true);
      this.logger.log(`connected to ${options.url}`);
    });
    this.client.on('offline', () => this.logger.warn(`offline from ${options.url}; reconnecting`));
    this.client.on('error', (error) => this.logger.warn(`mqtt: ${error.message}`));
    this.client.on('message', (topic, payload) => {
      for (const entry of this.handlers) {
        if (!topicMatches(entry.filter, topic)) continue;
        try {
          entry.handler(topic, payload);
        } catch (error) {
          this.logger.error(`handler for ${entry.filter} failed: ${(error as Error).message}`);
        }
      }
    });
  }

  connected(): boolean {
    return this.client.connected;
  }

  async publish(topic: string, payload: string, options: { qos: QoS; retain?: boolean }): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  async subscribe(filter: string, qos: QoS, handler: MessageHandler): Promise<() => void> {
    const entry = { filter, handler };
    this.handlers.add(entry);
    await this.client.subscribeAsync(filter, { qos });
    return () => {
      this.handlers.delete(entry);
      if (![...this.handlers].some((other) => other.filter === filter)) {
        this.client.unsubscribe(filter);
      }
    };
  }

  async close(): Promise<void> {
    // A client that never reached the broker would wait forever for its queued packets: force it.
    await this.client.endAsync(!this.client.connected);
  }
}
