import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { MQTT_BUS, type MqttBus } from './mqtt-bus.js';
import { MqttJsBus, type MqttJsBusOptions } from './mqtt-js-bus.js';

/** Closes the client this module created (a bus handed in belongs to whoever made it). */
@Injectable()
class MqttBusCloser implements OnApplicationShutdown {
  constructor(@Inject(MQTT_BUS) private readonly bus: MqttJsBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/** Provides MQTT_BUS: an mqtt.js client for `options`, or a given bus (tests, or a process sharing one). */
@Module({})
export class MqttModule {
  static forRoot(options: MqttJsBusOptions | { bus: MqttBus }): DynamicModule {
    const providers: Provider[] =
      'bus' in options
        ? [{ provide: MQTT_BUS, useValue: options.bus }]
        : [{ provide: MQTT_BUS, useFactory: () => new MqttJsBus(options) }, MqttBusCloser];
    return {
      module: MqttModule,
      global: true,
      providers,
      exports: [MQTT_BUS],
    };
  }
}
