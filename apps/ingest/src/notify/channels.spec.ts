import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCellConfig } from '#contracts';
import { chatChannel, chatPayload, emailChannel } from './channels.js';
import { Notifier } from './notifier.js';
import { Outbox } from './outbox.js';
import { alertEvent } from '../../../../test/support/alert-event.js';
import { until as waitUntil } from '../../../../test/support/until.js';

const alert = alertEvent({
  id: 'a7',
  ts: Date.UTC(2026, 0, 1, 3, 0, 0),
  evidence: { voltage_V: 0.000213, current_A: 0.0011, shortResistance_ohm: 0.1936 },
  safetyStop: { ts: Date.UTC(2026, 0, 1, 3, 0, 1), topic: 'sandglass/v1/rig-01/ch-03/command' },
});

const until = (condition: () => boolean, what: string, timeout_ms = 10_000) =>
  waitUntil(condition, what, timeout_ms, 10);

describe('chat payload', () => {
  it('is a Slack-compatible incoming-webhook message: text plus header, message, evidence and context blocks', () => {
    const payload = JSON.parse(chatPayload(alert, undefined, 'https://sg.lab')) as {
      text: string;
      blocks: Array<{
        type: string;
        text?: { type: string; text: string };
        elements?: Array<{ text: string }>;
      }>;
    };
    expect(payload.text).toBe('CRITICAL hard short on rig-01/ch-03 (raised): |V| 0.2 mV while 1.1 mA flows');
    expect(payload.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(payload.blocks[0]!.text).toEqual({
      type: 'plain_text',
      text: 'CRITICAL hard short on rig-01/ch-03 (raised)',
    });
    expect(payload.blocks[2]!.text!.text).toBe(
      '• voltage_V: 0.0002130\n• current_A: 0.001100\n• shortResistance_ohm: 0.1936',
    );
    expect(payload.blocks[3]!.elements![0]!.text).toContain(
      '<https://sg.lab/#/cell/rig-01/ch-03|open in Sandglass>',
    );
    expect(payload.blocks[3]!.elements![0]!.text).toContain('safety stop sent 2026-01-01T03:00:01.000Z');
  });
});

describe('chat and e-mail channels against real receivers', () => {
  const mails: ParsedMail[] = [];
  const chats: unknown[] = [];
  let smtp: SMTPServer;
  let smtpPort = 0;
  let chat: http.Server;
  let chatPort = 0;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-channels-'));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    chat = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        chats.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
    chatPort = (chat.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    chat.closeAllConnections();
    await new Promise((r) => chat.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends one chat message and one e-mail (plain text and HTML with the evidence) per state change', async () => {
    const outbox = new Outbox(dir);
    outbox.open();
    const notifier = new Notifier(
      outbox,
      {
        channels: [
          chatChannel(`http://127.0.0.1:${chatPort}/hooks/xyz`, 2000),
          emailChannel(`smtp://127.0.0.1:${smtpPort}`, 'sandglass@lab.example', ['night@lab.example'], 2000),
        ],
        dashboardBase: 'https://sg.lab',
        retry: { min_ms: 20, max_ms: 200 },
        giveUp_ms: 60_000,
      },
      { warn: () => undefined, log: () => undefined },
    );
    notifier.start();
    try {
      notifier.offer(alert, defaultCellConfig('rig-01', 'ch-03'));
      await until(() => mails.length === 1 && chats.length === 1, 'the e-mail and the chat message');
      await until(() => notifier.counters.delivered === 2, 'both recorded as delivered');
    } finally {
      await notifier.stop();
      outbox.close();
    }
    expect((chats[0] as { text: string }).text).toMatch(/^CRITICAL hard short on rig-01\/ch-03/);
    const mail = mails[0]!;
    expect(mail.subject).toBe('[Sandglass] CRITICAL hard short on rig-01/ch-03 (raised)');
    expect(mail.messageId).toBe('<a7:raised:critical@sandglass>');
    expect(mail.from?.text).toBe('sandglass@lab.example');
    expect(mail.text).toContain('shortResistance_ohm: 0.1936');
    expect(mail.text).toContain('Cell: symmetric, lp30, 1 cm²');
    expect(mail.text).toContain('Open in Sandglass: https://sg.lab/#/cell/rig-01/ch-03');
    expect(mail.html).toContain('<td>voltage_V</td><td>0.0002130</td>');
    expect(mail.html).toContain('Safety stop sent: 2026-01-01T03:00:01.000Z');
    expect(notifier.history('a7').map((e) => [e.channel, e.state])).toEqual(
      expect.arrayContaining([
        ['chat', 'delivered'],
        ['email', 'delivered'],
      ]),
    );
  });

  it("sends one grouped e-mail for the state changes of one rig within a route's window", async () => {
    const outbox = new Outbox(dir);
    outbox.open();
    const notifier = new Notifier(
      outbox,
      {
        channels: [
          emailChannel(`smtp://127.0.0.1:${smtpPort}`, 'sandglass@lab.example', ['night@lab.example'], 2000),
        ],
        routes: [{ name: 'mail', match: {}, channels: ['email'], escalationOnly: false, group_s: 0.3 }],
        dashboardBase: 'https://sg.lab',
        retry: { min_ms: 20, max_ms: 200 },
        giveUp_ms: 60_000,
      },
      { warn: () => undefined, log: () => undefined },
    );
    const before = mails.length;
    notifier.start();
    try {
      notifier.offer({ ...alert, id: 'g1' }, defaultCellConfig('rig-01', 'ch-03'));
      notifier.offer({ ...alert, id: 'g2', cellId: 'ch-04', kind: 'soft-short' }, undefined);
      await until(() => notifier.counters.delivered === 1, 'the grouped e-mail');
    } finally {
      await notifier.stop();
      outbox.close();
    }
    expect(mails.length).toBe(before + 1);
    const mail = mails.at(-1)!;
    expect(mail.subject).toBe('[Sandglass] 2 alert state changes on rig-01');
    expect(mail.messageId).toBe('<group:mail:g1:raised:critical@sandglass>');
    expect(mail.text).toContain('CRITICAL hard short on rig-01/ch-03 (raised)');
    expect(mail.text).toContain('CRITICAL soft short on rig-01/ch-04 (raised)');
    expect(mail.html).toContain('<hr>');
    expect(notifier.history('g2')).toMatchObject([{ state: 'delivered', members: [{}, {}] }]);
  });
});
