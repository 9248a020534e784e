/** Messages français des scrutins et des procédures (fusionnés dans fr.ts). */
import type { enBallots } from './en-ballots.ts';

export const frBallots: Record<keyof typeof enBallots, string> = {
  'nav.ballots': 'Scrutins',
  'ballots.title': 'Scrutins',
  'ballot.title': 'Scrutin',
};
