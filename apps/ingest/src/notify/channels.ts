import { createTransport, type Transporter } from 'nodemailer';
import type { AlertEvent } from '#contracts';
import { evidenceLines, alertTitle } from './message.js';
import { cellSummary, signature, webhookBody, dashboardUrl, type CellSummary } from './webhook.js';
import type { SendResult } from './notifier.js';
import type { CellConfig } from '#contracts';

/**
 * One notification channel: how an alert state change becomes a stored body (what the outbox keeps, so a
 * restart sends exactly that), and how a stored body is delivered. `deliver` never rejects.
 */
export interface ChannelAdapter {
  readonly name: 'webhook' | 'chat' | 'email';
  build(alert: AlertEvent, config: CellConfig | undefined, dashboardBase: string): string;
  /** One message for several state changes of one rig (routes with `group_s`); absent: not grouped. */
  buildGroup?(members: GroupMember[], dashboardBase: string): string;
  deliver(body: string, key: string): Promise<SendResult>;
  close?(): void;
}

/** One alert state change of a grouped message, with its cell's configuration. */
export interface GroupMember {
  alert: AlertEvent;
  config?: CellConfig;
}

/** "3 alert state changes on rig-01". */
export function groupTitle(members: readonly GroupMember[]): string {
  return `${members.length} alert state changes on ${members[0]?.alert.rigId ?? '?'}`;
}

/** POSTs JSON; a 2xx answer is a delivery. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeout_ms: number,
): Promise<SendResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeout_ms),
    });
    // Read (and drop) the answer so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { ok: true, status: response.status } : { ok: false, status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, error: cause ?? (error instanceof Error ? error.message : String(error)) };
  }
}

/** DESIGN.md webhook: the alert event + dashboardUrl + cell, signed, with the idempotency key. */
export function webhookChannel(url: string, secret: string, timeout_ms: number): ChannelAdapter {
  return {
    name: 'webhook',
    build: (alert, config, base) => webhookBody(alert, base, config && cellSummary(config)),
    deliver: (body, key) =>
      postJson(
        url,
        body,
        { 'idempotency-key': key, 'x-sandglass-signature': signature(body, secret) },
        timeout_ms,
      ),
  };
}

/**
 * Slack-compatible incoming webhook (Mattermost and Rocket.Chat accept the same): `text` (the fallback
 * and notification line) plus Block Kit `blocks` — a header, the message, the evidence, a link.
 */
export function chatPayload(alert: AlertEvent, cell: CellSummary | undefined, base: string): string {
  const title = alertTitle(alert);
  const link = dashboardUrl(base, alert);
  const evidence = evidenceLines(alert.evidence);
  return JSON.stringify({
    text: `${title}: ${alert.message}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: alert.message || '(no message)' } },
      ...(evidence.length > 0
        ? [{ type: 'section', text: { type: 'mrkdwn', text: evidence.map((l) => `• ${l}`).join('\n') } }]
        : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              `${alert.severity} · ${alert.state} · data time ${new Date(alert.ts).toISOString()}` +
              (cell ? ` · ${cell.cellType} cell, ${cell.electrolyte}` : '') +
              (alert.safetyStop ? ` · safety stop sent ${new Date(alert.safetyStop.ts).toISOString()}` : '') +
              ` · <${link}|open in Sandglass>`,
          },
        ],
      },
    ],
  });
}

/** A grouped chat message: the count as text, then one section per state change (Slack allows 50 blocks). */
export function chatGroupPayload(members: readonly GroupMember[], base: string): string {
  const title = groupTitle(members);
  const shown = members.slice(0, 48);
  return JSON.stringify({
    text: `${title}: ${members.map((m) => alertTitle(m.alert)).join('; ')}`.slice(0, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title } },
      ...shown.map((m) => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${alertTitle(m.alert)}*\n${m.alert.message} · <${dashboardUrl(base, m.alert)}|open>`.slice(
            0,
            3000,
          ),
        },
      })),
      ...(members.length > shown.length
        ? [
            {
              type: 'context',
              elements: [{ type: 'mrkdwn', text: `and ${members.length - shown.length} more` }],
            },
          ]
        : []),
    ],
  });
}

export function chatChannel(url: string, timeout_ms: number): ChannelAdapter {
  return {
    name: 'chat',
    build: (alert, config, base) => chatPayload(alert, config && cellSummary(config), base),
    buildGroup: (members, base) => chatGroupPayload(members, base),
    deliver: (body) => postJson(url, body, {}, timeout_ms),
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An e-mail for an alert state change: subject, plain text and HTML, both with the evidence. */
export function emailMessage(
  alert: AlertEvent,
  cell: CellSummary | undefined,
  base: string,
): { subject: string; text: string; html: string } {
  const title = alertTitle(alert);
  const link = dashboardUrl(base, alert);
  const evidence = evidenceLines(alert.evidence);
  const facts = [
    `Severity: ${alert.severity}`,
    `State: ${alert.state}${alert.acknowledgedBy ? ` (by ${alert.acknowledgedBy})` : ''}`,
    `Source: ${alert.source}`,
    `Data time: ${new Date(alert.ts).toISOString()}`,
    ...(cell ? [`Cell: ${cell.cellType}, ${cell.electrolyte}, ${cell.electrodeArea_cm2} cm²`] : []),
    ...(alert.safetyStop
      ? [`Safety stop sent: ${new Date(alert.safetyStop.ts).toISOString()} on ${alert.safetyStop.topic}`]
      : []),
    `Alert id: ${alert.id}`,
  ];
  const text = [
    title,
    '',
    alert.message,
    '',
    ...facts,
    '',
    ...(evidence.length > 0 ? ['Evidence:', ...evidence.map((l) => `  ${l}`), ''] : []),
    `Open in Sandglass: ${link}`,
    '',
  ].join('\n');
  const html =
    `<h2>${escapeHtml(title)}</h2><p>${escapeHtml(alert.message)}</p>` +
    `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` +
    (evidence.length > 0
      ? `<h3>Evidence</h3><table>${evidence
          .map((l) => {
            const [name, ...rest] = l.split(': ');
            return `<tr><td>${escapeHtml(name!)}</td><td>${escapeHtml(rest.join(': '))}</td></tr>`;
          })
          .join('')}</table>`
      : '') +
    `<p><a href="${escapeHtml(link)}">Open in Sandglass</a></p>`;
  return { subject: `[Sandglass] ${title}`, text, html };
}

/** SMTP through nodemailer (a maintained library); `smtpUrl` like smtp://user:pass@host:587 or smtps://… */
export function emailChannel(
  smtpUrl: string,
  from: string,
  to: readonly string[],
  timeout_ms: number,
): ChannelAdapter {
  let transport: Transporter | undefined;
  return {
    name: 'email',
    build: (alert, config, base) => JSON.stringify(emailMessage(alert, config && cellSummary(config), base)),
    buildGroup: (members, base) => {
      const parts = members.map((m) => emailMessage(m.alert, m.config && cellSummary(m.config), base));
      return JSON.stringify({
        subject: `[Sandglass] ${groupTitle(members)}`,
        text: parts.map((p) => p.text).join('\n----------------------------------------\n\n'),
        html: parts.map((p) => p.html).join('<hr>'),
      });
    },
    deliver: async (body, key) => {
      if (!transport) {
        // nodemailer reads transport options from the connection URL's query string.
        const url = new URL(smtpUrl);
        for (const option of ['connectionTimeout', 'greetingTimeout', 'socketTimeout'])
          if (!url.searchParams.has(option)) url.searchParams.set(option, String(timeout_ms));
        transport = createTransport(url.toString());
      }
      const message = JSON.parse(body) as { subject: string; text: string; html: string };
      try {
        const info = await transport.sendMail({
          from,
          to: [...to],
          ...message,
          // The idempotency key as Message-ID: a mail system drops a repeat with the same id.
          messageId: `<${key.replace(/[^A-Za-z0-9.:-]/g, '_')}@sandglass>`,
        });
        const rejected = (info.rejected ?? []).map(String);
        return rejected.length === 0 ? { ok: true } : { ok: false, error: `rejected ${rejected.join(',')}` };
      } catch (error) {
        const code = (error as { responseCode?: number; code?: string }).responseCode;
        return {
          ok: false,
          ...(code && { status: code }),
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    close: () => transport?.close(),
  };
}
