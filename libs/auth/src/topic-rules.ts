import { TOPIC_ROOT, isValidId } from '#contracts';
import type { Principal } from './tokens.js';

/** What a client asks to publish: its topic and whether the broker should retain it. */
export interface PublishRequest {
  topic: string;
  retain?: boolean;
}

const TELEMETRY_SUFFIX = '/telemetry';

/**
 * True when `topic` is a telemetry topic under `sandglass/v1/{rigId}/` (any rig when `rigId` is
 * undefined) with no wildcard. Extra levels (`…/{cell}/x/telemetry`) pass here on purpose: ingest
 * refuses them with a reason on the cell's `…/rejected` topic and a count, which a dropped connection
 * would not give the rig.
 */
export function isRigTelemetryTopic(topic: string, rigId?: string): boolean {
  if (!topic.startsWith(`${TOPIC_ROOT}/`) || !topic.endsWith(TELEMETRY_SUFFIX)) return false;
  if (topic.includes('+') || topic.includes('#')) return false;
  const levels = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (levels.length < 3) return false;
  const topicRig = levels[0]!;
  return rigId === undefined ? isValidId(topicRig) : topicRig === rigId;
}

/**
 * Who may publish what (the production Mosquitto ACL in deploy/mosquitto/acl says the same): a rig only
 * on its own `sandglass/v1/{its rig id}/…/telemetry` topics and never retained; `config`, `alerts`,
 * `state`, `rejected` and anything else are written by Sandglass's own services alone; people (viewer,
 * operator, admin tokens) publish nothing over MQTT.
 */
export function mayPublish(principal: Principal, request: PublishRequest): boolean {
  if (principal.role === 'service') return true;
  if (principal.role !== 'rig') return false;
  return request.retain !== true && isRigTelemetryTopic(request.topic, principal.name);
}

/**
 * The same rule for a client that needs no login (authentication off): it speaks as a rig of any id —
 * telemetry only, never retained.
 */
export function mayPublishAnonymously(request: PublishRequest): boolean {
  return request.retain !== true && isRigTelemetryTopic(request.topic);
}

/** Rigs may subscribe only under their own subtree; services and people (read-only) may read anything. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  if (principal.role !== 'rig') return true;
  return filter.startsWith(`${TOPIC_ROOT}/${principal.name}/`);
}
