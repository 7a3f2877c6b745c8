import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { LiveFeed } from './live-feed.service.js';
import { LiveGateway } from './live.gateway.js';

/** The live stream: MQTT state and alerts in, socket.io `/live` out. */
@Module({
  imports: [HealthModule],
  providers: [LiveFeed, LiveGateway],
  exports: [LiveFeed, LiveGateway],
})
export class LiveModule {}
