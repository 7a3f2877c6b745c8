/** MQTT topics of DESIGN.md: `sandglass/v1/{rigId}/{cellId}/{channel}`. */

export const TOPIC_ROOT = 'sandglass/v1';
/**
 * `config` is an addition to DESIGN.md's table: the api publishes a cell's configuration there (QoS 1,
 * retained) after storing it, so every ingest process applies it live. `cycles` is another: ingest
 * publishes each completed cycle's statistics there (QoS 1), and the api relays them as `cycle` events.
 */
export const CHANNELS = ['telemetry', 'state', 'alerts', 'rejected', 'config', 'cycles', 'command'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * rigId and cellId: 1–64 of [A-Za-z0-9_.-], but not `.` or `..` (they would name a directory or walk out
 * of one in a path, and read as the current/parent segment in a URL).
 */
export const ID_PATTERN = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export interface CellAddress {
  rigId: string;
  cellId: string;
}

export interface ParsedTopic extends CellAddress {
  channel: Channel;
}

/** Builds a topic; throws RangeError for an invalid id (a programming mistake, not bad input). */
export function buildTopic(rigId: string, cellId: string, channel: Channel): string {
  if (!isValidId(rigId)) throw new RangeError(`invalid rigId ${JSON.stringify(rigId)}`);
  if (!isValidId(cellId)) throw new RangeError(`invalid cellId ${JSON.stringify(cellId)}`);
  return `${TOPIC_ROOT}/${rigId}/${cellId}/${channel}`;
}

export const telemetryTopic = (rigId: string, cellId: string): string =>
  buildTopic(rigId, cellId, 'telemetry');
export const stateTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'state');
export const alertsTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'alerts');
export const rejectedTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'rejected');
export const configTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'config');
export const cyclesTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'cycles');
/** Sandglass → rig (QoS 1, never retained): the safety stop of DESIGN.md. */
export const commandTopic = (rigId: string, cellId: string): string => buildTopic(rigId, cellId, 'command');

/** Subscription filter for one channel of every cell, or of one rig's cells. */
export function channelFilter(channel: Channel, rigId = '+'): string {
  return `${TOPIC_ROOT}/${rigId}/+/${channel}`;
}

/** Parses a topic; returns undefined for anything that is not a Sandglass v1 topic with valid ids. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(TOPIC_ROOT + '/')) return undefined;
  const parts = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (parts.length !== 3) return undefined;
  const [rigId, cellId, channel] = parts as [string, string, string];
  if (!isValidId(rigId) || !isValidId(cellId)) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel)) return undefined;
  return { rigId, cellId, channel: channel as Channel };
}
