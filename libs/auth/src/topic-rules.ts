import { TOPIC_ROOT } from '#contracts';
import type { Principal } from './tokens.js';

/**
 * The per-rig topic rule (same as deploy/mosquitto/acl): a rig may publish only under
 * `sandglass/v1/{its rig id}/#`; services may publish anywhere; people publish nothing over MQTT.
 */
export function mayPublish(principal: Principal, topic: string): boolean {
  if (principal.role === 'service') return true;
  if (principal.role !== 'rig') return false;
  const prefix = `${TOPIC_ROOT}/${principal.name}/`;
  return topic.startsWith(prefix) && !topic.includes('+') && !topic.includes('#');
}

/** Rigs may subscribe only under their own subtree; services and people (read-only) may read anything. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  if (principal.role !== 'rig') return true;
  return filter.startsWith(`${TOPIC_ROOT}/${principal.name}/`);
}
