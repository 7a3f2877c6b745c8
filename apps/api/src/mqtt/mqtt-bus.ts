/** Handler of one MQTT message; `payload` is the raw bytes. */
export type MessageHandler = (topic: string, payload: Buffer) => void;

export type QoS = 0 | 1;

/**
 * The api's port to the broker: no vendor types, so services and the gateway are tested with a fake.
 * The adapter (MqttJsBus) speaks mqtt 5 to Mosquitto or the embedded Aedes broker.
 */
export interface MqttBus {
  publish(topic: string, payload: string, options: { qos: QoS; retain?: boolean }): Promise<void>;
  /** Subscribes to a topic filter; resolves once the broker granted it. Returns the way to undo it. */
  subscribe(filter: string, qos: QoS, handler: MessageHandler): Promise<() => void>;
  connected(): boolean;
}

export const MQTT_BUS = Symbol('MQTT_BUS');

/** MQTT topic-filter match with `+` (one level) and `#` (the rest), as in MQTT 3.1.1 section 4.7. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let k = 0; k < f.length; k++) {
    const level = f[k];
    if (level === '#') return true;
    if (k >= t.length) return false;
    if (level !== '+' && level !== t[k]) return false;
  }
  return f.length === t.length;
}
