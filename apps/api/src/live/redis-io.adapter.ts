import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io over Redis (`@socket.io/redis-adapter`): several api instances behind one dashboard address
 * share their broadcasts, so an event one instance emits to all clients (replay progress) reaches the
 * clients of the others. Live state, alerts and cycles are not sent this way: every instance hears them
 * from MQTT itself and sends them to its own clients only (live.gateway.ts), which keeps each cell's
 * events in order and each alert once per client.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: ReturnType<typeof createClient>;
  private readonly sub: ReturnType<typeof createClient>;

  constructor(app: INestApplicationContext, url: string) {
    super(app);
    this.pub = createClient({ url });
    this.sub = this.pub.duplicate();
  }

  /** Connects both clients (the subscriber needs its own connection); throws if Redis is unreachable. */
  async connect(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub, this.sub));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
