/** English messages for ballots and procedures (merged into en.ts). */
export const enBallots = {
  'nav.ballots': 'Ballots',
  'ballots.title': 'Ballots',
  'ballot.title': 'Ballot',
} as const;
