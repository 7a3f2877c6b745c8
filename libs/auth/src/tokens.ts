import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN } from '#contracts';

/**
 * Roles: viewer reads; operator also acknowledges alerts, configures cells and starts replays; admin may do
 * everything; rig publishes telemetry for the rig it is named after; service is a Sandglass process.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'rig', 'service'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { rig: 0, viewer: 1, operator: 2, admin: 3, service: 3 };

/** True when `role` may do what `needed` may do (rigs only publish; they cannot use the API). */
export function roleAllows(role: Role, needed: 'viewer' | 'operator' | 'admin'): boolean {
  return role !== 'rig' && RANK[role] >= RANK[needed];
}

/**
 * One entry of the tokens file. Tokens are random 32-byte secrets, so a SHA-256 of the token is a safe
 * stored form (no slow password hash needed); the file never holds a token itself.
 */
export const TokenEntrySchema = z
  .object({
    name: z.string().min(1).max(64),
    role: z.enum(ROLES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  })
  .refine((e) => e.role !== 'rig' || ID_PATTERN.test(e.name), {
    message: 'a rig token must be named after its rig id',
    path: ['name'],
  });
export type TokenEntry = z.infer<typeof TokenEntrySchema>;
export const TokensFileSchema = z.object({ tokens: z.array(TokenEntrySchema) });

export interface Principal {
  name: string;
  role: Role;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Looks tokens up by hash, in constant time per comparison. */
export class TokenRegistry {
  private readonly entries: { entry: TokenEntry; digest: Buffer }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  static fromJson(text: string): TokenRegistry {
    return new TokenRegistry(TokensFileSchema.parse(JSON.parse(text)).tokens);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds a token (for a process's own service credentials). */
  add(entry: TokenEntry): void {
    this.entries.push({ entry, digest: Buffer.from(entry.sha256, 'hex') });
  }

  authenticate(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const digest = Buffer.from(hashToken(token), 'hex');
    let found: Principal | undefined;
    for (const { entry, digest: stored } of this.entries) {
      if (timingSafeEqual(digest, stored)) found = { name: entry.name, role: entry.role };
    }
    return found;
  }
}
