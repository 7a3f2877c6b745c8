import net from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { mayPublish, maySubscribe, type Principal, type TokenRegistry } from '#auth';

export interface EmbeddedBrokerOptions {
  /** Preferred port; if taken, the next free ones are tried (up to `portAttempts`). 0 = any free port. */
  port: number;
  host?: string;
  portAttempts?: number;
  /** When given, clients log in with a token as password (rigs: user name = rig id); otherwise anonymous. */
  registry?: TokenRegistry;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** True when the preferred port was taken and another one was used. */
  movedFromPreferredPort: boolean;
  close(): Promise<void>;
}

const NOT_AUTHORIZED = 5;
const BAD_USERNAME_OR_PASSWORD = 4;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The embedded MQTT broker of `npm start` (Aedes). With a token registry it enforces the same per-rig rule
 * as the production Mosquitto ACL: a rig publishes only under `sandglass/v1/{its rig id}/#`.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const principals = new WeakMap<object, Principal>();
  const registry = options.registry;
  const aedes = await Aedes.createBroker({
    // Keep up to 100k QoS 1 messages for a subscriber that falls behind, as the Mosquitto configs do.
    queueLimit: 100_000,
    ...(registry && {
      authenticate: (client, username, password, done) => {
        const principal = registry.authenticate(password?.toString('utf8'));
        if (!principal || (principal.role === 'rig' && principal.name !== username)) {
          done(authError('bad user name or password', BAD_USERNAME_OR_PASSWORD), false);
          return;
        }
        principals.set(client, principal);
        done(null, true);
      },
      authorizePublish: (client, packet, callback) => {
        const principal = client ? principals.get(client) : undefined;
        if (client && (!principal || !mayPublish(principal, packet.topic))) {
          callback(authError(`not allowed to publish on ${packet.topic}`, NOT_AUTHORIZED));
          return;
        }
        callback(null);
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const principal = principals.get(client);
        if (!principal || !maySubscribe(principal, subscription.topic)) {
          callback(authError(`not allowed to subscribe to ${subscription.topic}`, NOT_AUTHORIZED));
          return;
        }
        callback(null, subscription);
      },
    }),
  });
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  const host = options.host ?? '127.0.0.1';
  const attempts = options.port === 0 ? 1 : (options.portAttempts ?? 20);
  let port = -1;
  for (let attempt = 0; attempt < attempts && port < 0; attempt++) {
    const candidate = options.port === 0 ? 0 : options.port + attempt;
    port = await new Promise<number>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(-1);
        else reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve((server.address() as net.AddressInfo).port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(candidate, host);
    });
  }
  if (port < 0) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw new Error(
      `no free port for the embedded MQTT broker in ${options.port}–${options.port + attempts - 1}`,
    );
  }
  return {
    url: `mqtt://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    movedFromPreferredPort: options.port !== 0 && port !== options.port,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
