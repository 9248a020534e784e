/**
 * Entries of the instance log (docs/protocol.md §2). Every public event is one entry; the log
 * leaf is the canonical JSON of the entry, so anyone holding an entry can recompute its leaf hash
 * (RFC 9162 §2.1.1: SHA-256(0x00 ‖ entry bytes)).
 */
import { z } from 'zod';
import { BallotEntrySchemas } from '../ballot/entries.ts';
import { CommitteeEntrySchemas } from '../trustee/committee.ts';
import { canonicalBytes } from '../encoding.ts';
import { RevealEntrySchema } from '../sealed/reveal.ts';
import { LetterSchema } from '../letter/letter.ts';
import { SignatureRecordSchema } from '../letter/record.ts';
import { SemaphoreProofSchema } from '../crypto/semaphore.ts';
import { WitnessPolicySchema } from './cosignature.ts';
import { leafHash } from './merkle.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const decimal = z.string().regex(/^[1-9][0-9]{0,77}$/);
const memberId = z.number().int().min(1);
const leaf = z.number().int().min(0);

export const LogEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('instance-created'), name: z.string(), verifierKey: z.string() }).strict(),
  /**
   * The witnesses the instance relies on from here on (null: none). Letters and ballots opened
   * after it name exactly this policy (docs/protocol.md §2).
   */
  z.object({ kind: z.literal('witness-policy'), policy: WitnessPolicySchema.nullable() }).strict(),
  z.object({ kind: z.literal('member-added'), member: memberId, name: z.string() }).strict(),
  z.object({ kind: z.literal('member-enrolled'), member: memberId, leaf, commitment: decimal }).strict(),
  z.object({ kind: z.literal('member-replaced'), member: memberId, leaf, commitment: decimal }).strict(),
  z.object({ kind: z.literal('member-removed'), member: memberId, leaf: leaf.nullable() }).strict(),
  z
    .object({ kind: z.literal('letter-opened'), letterId: hex32, letter: LetterSchema, proposal: SemaphoreProofSchema })
    .strict(),
  z.object({ kind: z.literal('signature'), letterId: hex32, record: SignatureRecordSchema }).strict(),
  z
    .object({
      kind: z.literal('letter-closed'),
      letterId: hex32,
      /** RFC 9162 root over the leaf hashes of this letter's `signature` entries, in log order. */
      records: z.object({ size: z.number().int().min(0), root: hex32 }).strict(),
      result: z.object({ count: z.number().int().min(0), named: z.array(z.string()) }).strict(),
    })
    .strict(),
  CommitteeEntrySchemas.created,
  CommitteeEntrySchemas.contribution,
  CommitteeEntrySchemas.ack,
  CommitteeEntrySchemas.complaint,
  CommitteeEntrySchemas.ready,
  RevealEntrySchema,
  BallotEntrySchemas.opened,
  BallotEntrySchemas.vote,
  BallotEntrySchemas.closed,
  BallotEntrySchemas.tally,
]);
export type LogEntry = z.infer<typeof LogEntrySchema>;
export type EntryOf<K extends LogEntry['kind']> = Extract<LogEntry, { kind: K }>;

export function entryBytes(entry: LogEntry): Uint8Array {
  return canonicalBytes(entry);
}

export function entryLeafHash(entry: LogEntry): Uint8Array {
  return leafHash(entryBytes(entry));
}
