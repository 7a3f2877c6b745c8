#!/usr/bin/env node
// Sandglass safety-stop bridge: runs on the rig's PC, subscribes to the rig's `…/command` topic and stops
// the cycler channel of the cell a stop command names. See docs/safety-stop.md.
//
//   node examples/stop-bridge/bridge.mjs --config examples/stop-bridge/channels.example.json
//
// What is real here: the MQTT side (a persistent QoS 1 session, so commands published while the bridge
// was away are delivered when it comes back; stale commands refused; each alert acted on once; every
// decision logged as one JSON line). What you fill in: `channels` in the config (which instrument and
// channel each cellId is) and `stopCommand`, the program that actually stops a channel — for BioLogic,
// biologic_stop.py next to this file (EC-Lab Development Package, kbio); for another cycler, your own.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const arg = (name, fallback) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const config = JSON.parse(readFileSync(arg('config', 'channels.json'), 'utf8'));
const { brokerUrl, rigId, password, channels, stopCommand, maxAge_s = 300, stopTimeout_ms = 20_000 } = config;
if (!brokerUrl || !rigId || !channels || !Array.isArray(stopCommand) || stopCommand.length === 0) {
  console.error('config needs brokerUrl, rigId, channels {cellId: {...}} and stopCommand [program, ...args]');
  process.exit(2);
}

const log = (event, fields) =>
  console.log(JSON.stringify({ at: new Date().toISOString(), event, ...fields }));
/** Alerts already acted on (QoS 1 is at-least-once: the broker may deliver a command twice). */
const done = new Set();

/** Runs the stop program with the channel's fields substituted: {address}, {channel}, {cellId}, {alertId}. */
function stopChannel(cellId, command) {
  const channel = channels[cellId];
  const fill = (s) =>
    s.replace(/\{(\w+)\}/g, (_, key) => String({ cellId, alertId: command.alertId, ...channel }[key] ?? ''));
  const [program, ...args] = stopCommand.map(fill);
  return new Promise((resolve) => {
    execFile(program, args, { timeout: stopTimeout_ms }, (error, stdout, stderr) =>
      resolve({ ok: !error, code: error?.code ?? 0, stdout: stdout.trim(), stderr: stderr.trim() }),
    );
  });
}

const client = mqtt.connect(brokerUrl, {
  // A stable client id and clean = false: the broker keeps the subscription and queues QoS 1 commands
  // while the bridge is down (Mosquitto: persistence on; the embedded broker: its session journal).
  clientId: `stop-bridge-${rigId}`,
  clean: false,
  username: rigId,
  ...(password && { password }),
  reconnectPeriod: 1000,
});
const topic = `sandglass/v1/${rigId}/+/command`;
client.on('connect', (connack) => {
  log('connected', { brokerUrl, sessionPresent: connack.sessionPresent });
  client.subscribe(topic, { qos: 1 }, (error) => error && log('subscribe-failed', { error: error.message }));
});
client.on('error', (error) => log('mqtt-error', { error: error.message }));
client.on('message', async (t, payload) => {
  const cellId = t.split('/')[3];
  let command;
  try {
    command = JSON.parse(payload.toString('utf8'));
  } catch {
    log('refused', { cellId, reason: 'not JSON' });
    return;
  }
  if (command?.action !== 'stop' || typeof command.alertId !== 'string' || typeof command.ts !== 'number') {
    log('refused', { cellId, reason: 'not a stop command', command });
    return;
  }
  const age_s = (Date.now() - command.ts) / 1000;
  if (age_s > maxAge_s) {
    // Delivered late from a queued session (the bridge was down): a person decides, not the bridge.
    log('refused', {
      cellId,
      reason: `stale: issued ${age_s.toFixed(0)} s ago (maxAge_s ${maxAge_s})`,
      command,
    });
    return;
  }
  if (done.has(command.alertId)) {
    log('duplicate', { cellId, alertId: command.alertId });
    return;
  }
  if (!channels[cellId]) {
    log('refused', { cellId, reason: 'no channel configured for this cell', command });
    return;
  }
  done.add(command.alertId);
  const result = await stopChannel(cellId, command);
  log(result.ok ? 'stopped' : 'stop-failed', { cellId, channel: channels[cellId], command, ...result });
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => client.end(false, {}, () => process.exit(0)));
