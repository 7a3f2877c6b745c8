import path from 'node:path';
import type { Provider } from '@nestjs/common';
import type { Environment } from '#contracts';
import { PublisherReplayRunner } from '#replay';
import { MQTT_BUS, type MqttBus } from '../mqtt/mqtt-bus.js';
import { REPLAY_RUNNER } from './replay-runner.js';

/**
 * The real replay runner: publishes through the api's broker connection; recorded files may be replayed
 * only from `$SANDGLASS_DATA_DIR/replays`.
 */
export function publisherReplayRunner(env: Environment): Provider {
  return {
    provide: REPLAY_RUNNER,
    inject: [MQTT_BUS],
    useFactory: (bus: MqttBus) =>
      new PublisherReplayRunner(
        { publishAsync: (topic: string, payload: string) => bus.publish(topic, payload, { qos: 1 }) },
        { allowedRoots: [path.resolve(env.SANDGLASS_DATA_DIR, 'replays')] },
      ),
  };
}
