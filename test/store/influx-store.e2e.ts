import { describeTelemetryStoreConformance } from '../../libs/store/src/conformance.js';
import { InfluxStore } from '../../libs/store/src/influx-store.js';
import { testServices } from '../support/services.js';

// Each run gets its own database so parallel or repeated runs never see each other's points.
const database = `sandglass_test_${process.pid}_${Date.now()}`;

describeTelemetryStoreConformance('InfluxStore (real influxd, 1.x HTTP API)', {
  make: async () => new InfluxStore({ url: testServices().influxUrl, database }),
  cleanup: async () => {
    const body = new URLSearchParams({ q: `DROP DATABASE "${database}"` });
    await fetch(`${testServices().influxUrl}/query`, { method: 'POST', body });
  },
});
