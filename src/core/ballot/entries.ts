/** Log entries of a ballot (docs/protocol.md §12.4). */
import { z } from 'zod';
import { BallotSchema, VoteRecordSchema } from './ballot.ts';
import { TallyEntrySchema } from './tally.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const BallotEntrySchemas = {
  opened: z.object({ kind: z.literal('ballot-opened'), ballotId: hex32, ballot: BallotSchema }).strict(),
  vote: z.object({ kind: z.literal('vote'), ballotId: hex32, record: VoteRecordSchema }).strict(),
  closed: z
    .object({
      kind: z.literal('ballot-closed'),
      ballotId: hex32,
      /** RFC 9162 root over the leaf hashes of this ballot's `vote` entries, in log order. */
      votes: z.object({ size: z.number().int().min(0), root: hex32 }).strict(),
      /** Per option, the homomorphic sum of the counted (latest) votes. */
      sums: z.array(z.object({ a: hex32, b: hex32 }).strict()).max(50),
      voters: z.number().int().min(0),
    })
    .strict(),
  tally: TallyEntrySchema,
};
