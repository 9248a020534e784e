/**
 * A letter: the exact words members sign, and the settings that decide how they are counted.
 * letterId = SHA-256("undersigned/letter/v1" ‖ 0x00 ‖ canonical JSON of the letter), so every
 * signer signs the same words and settings (docs/protocol.md §5).
 */
import { z } from 'zod';
import { taggedHash } from '../encoding.ts';
import { WitnessPolicySchema } from '../log/cosignature.ts';
import { RosterRefSchema } from '../roster/roster.ts';
import { hexToBigint } from '../crypto/semaphore.ts';

export const VISIBILITIES = ['live', 'members', 'at-threshold', 'at-close'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** An ISO 8601 UTC instant to the second, e.g. 2026-12-01T17:00:00Z (one spelling per instant). */
export const InstantSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'an instant like 2026-12-01T17:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().replace('.000Z', 'Z') === s, 'a real date');

export const LetterSchema = z
  .object({
    format: z.literal('undersigned-letter/1'),
    // Schemas never transform: the verifier must hash exactly the bytes it was given.
    title: z.string().min(1).max(300).refine((t) => t.trim() === t, 'no leading or trailing spaces'),
    text: z.string().min(1).max(50_000),
    recipient: z.string().min(1).max(300).refine((t) => t.trim() === t, 'no leading or trailing spaces'),
    roster: RosterRefSchema,
    deadline: InstantSchema,
    revealThreshold: z.number().int().min(0).max(10_000_000),
    visibility: z.enum(VISIBILITIES),
    /**
     * The trustee committee that sealed names on this letter are encrypted to (absent: no sealed
     * signatures). Fixed at opening like the roster: docs/protocol.md §11.
     */
    committee: z
      .object({
        id: z.string().regex(/^[0-9a-f]{64}$/),
        publicKey: z.string().regex(/^[0-9a-f]{64}$/),
        k: z.number().int().min(1),
        n: z.number().int().min(1),
      })
      .strict()
      .optional(),
    /**
     * The witnesses whose cosignatures make a checkpoint of this log count (absent: the log is not
     * witnessed). Fixed at opening like the roster, so every signer agreed to it: docs/protocol.md §5.
     */
    witnesses: WitnessPolicySchema.optional(),
    /** 16 random bytes (hex) chosen by the proposer: the same words proposed twice are two letters. */
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict();
export type Letter = z.infer<typeof LetterSchema>;

export function letterId(letter: Letter): string {
  return taggedHash('undersigned/letter/v1', letter);
}

/** Semaphore scope of signatures on a letter: the letter id read as a 256-bit integer. */
export function signatureScope(id: string): bigint {
  return hexToBigint(id);
}

/**
 * Scope of the membership proof that proposes a letter. It differs from the signature scope so
 * that the proposer's nullifier here cannot be matched with their signature's nullifier.
 */
export function proposalScope(id: string): bigint {
  return hexToBigint(taggedHash('undersigned/propose/v1', { letterId: id }));
}

/** Message of the proposal proof: the letter id itself. */
export function proposalMessage(id: string): bigint {
  return hexToBigint(id);
}

/**
 * An instance's default minimum group size (docs/protocol.md §7.3): a letter whose roster has fewer
 * enrolled members shows its count only at the close, whatever its visibility, since in a small
 * group a count (or its changes) points at people.
 */
export const DEFAULT_MIN_GROUP_SIZE = 5;

/** Whether a letter's count is hidden from the public until its close: by its setting, or by the group's size. */
export function countHiddenFromPublic(letter: Letter, minGroupSize: number): boolean {
  return letter.visibility !== 'live' || letter.roster.enrolled < minGroupSize;
}
