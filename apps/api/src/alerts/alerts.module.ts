import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';

/** Alerts: list with filters, acknowledge. */
@Module({
  imports: [HealthModule],
  controllers: [AlertsController],
  providers: [AlertsService],
})
export class AlertsModule {}
