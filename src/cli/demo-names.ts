/**
 * Plausible Canadian member names for demo rosters: English and French given and family names
 * (with their accents and hyphens), plus some of the most common names of Canadians of South and
 * East Asian and Arab descent.
 *
 * Distinctness comes in tiers, each used only when the one before is exhausted:
 *   1. "Given Family"                      (GIVEN_NAMES.length × FAMILY_NAMES.length combinations)
 *   2. "Given M. Family" with a middle initial   (× MIDDLE_INITIALS.length more)
 *   3. "Given Family 2", "… 3", …           (unbounded; only past about 250,000 names)
 * Within a tier, combinations are drawn without replacement (partial Fisher–Yates), and the final
 * list is shuffled so the tiers are interleaved.
 *
 * Deterministic: all choices come from a byte stream SHA-256(key ‖ counter) (counter mode, FIPS
 * 180-4), with key = SHA-256(domain tag ‖ 0x00 ‖ randomBytes). Integers in [0, n) are drawn by
 * rejection sampling on 32-bit words, so they are unbiased. No Math.random, no crypto API.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const GIVEN_NAMES: readonly string[] = Object.freeze([
  // French
  'Geneviève', 'Marc-André', 'Jean-François', 'Marie-Ève', 'Anne-Marie', 'Pierre-Luc', 'Marie-Claude',
  'Jean-Philippe', 'Louis-Philippe', 'Hélène', 'Chloé', 'Zoé', 'Noémie', 'Frédéric', 'Stéphane',
  'Sébastien', 'Mélanie', 'Valérie', 'Josée', 'Réjean', 'Benoît', 'Jérôme', 'Éric', 'Émilie', 'Amélie',
  'Maxime', 'Étienne', 'Cédric', 'Gaétan', 'Ginette', 'Raphaël', 'Anaïs', 'Danièle', 'Jocelyne',
  'Francine', 'Mathieu', 'Julien', 'Olivier', 'Nathalie', 'Sylvie', 'Isabelle', 'Catherine', 'Louise',
  'Guillaume', 'Alexandre', 'Vincent', 'Léa', 'Camille', 'Gabrielle', 'Félix', 'Thérèse', 'François',
  'Denis', 'Luc', 'Manon', 'Martine', 'Yves', 'Claude', 'Sophie', 'Élise',
  // English
  'James', 'Sarah', 'Michael', 'Jennifer', 'David', 'Emily', 'Robert', 'Jessica', 'Daniel', 'Ashley',
  'Matthew', 'Megan', 'Christopher', 'Lauren', 'Andrew', 'Rachel', 'Ryan', 'Heather', 'Kevin', 'Amanda',
  'Brian', 'Laura', 'Jason', 'Stephanie', 'Mark', 'Karen', 'Paul', 'Susan', 'Scott', 'Kathleen',
  'Connor', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Grace', 'Owen', 'Hannah', 'Tyler',
  'Brooke', 'Colin', 'Fiona', 'Graham', 'Moira', 'Ian', 'Shannon', 'Douglas', 'Margaret',
  // Other communities
  'Priya', 'Arjun', 'Harpreet', 'Gurpreet', 'Jaspreet', 'Wei', 'Mei', 'Jin', 'Amir', 'Fatima', 'Omar',
  'Aisha', 'Hiroshi', 'Min-jun', 'Ji-woo', 'Anh', 'Rohan', 'Ananya', 'Karim', 'Leila',
]);

export const FAMILY_NAMES: readonly string[] = Object.freeze([
  // French
  'Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Gauthier', 'Morin', 'Lavoie', 'Fortin', 'Gagné',
  'Ouellet', 'Pelletier', 'Bélanger', 'Lévesque', 'Bergeron', 'Leblanc', 'Paquette', 'Girard', 'Simard',
  'Boucher', 'Caron', 'Beaulieu', 'Cloutier', 'Dubé', 'Poirier', 'Fournier', 'Lapointe', 'Leclerc',
  'Lefebvre', 'Poulin', 'Thibault', 'St-Pierre', 'Nadeau', 'Martin', 'Landry', 'Martel', 'Bédard',
  'Grenier', 'Lessard', 'Bernier', 'Richard', 'Michaud', 'Hébert', 'Desjardins', 'Couture', 'Turcotte',
  'Lachance', 'Parent', 'Blais', 'Gosselin', 'Savard', 'Proulx', 'Beaudoin', 'Demers', 'Perron',
  'Boudreau', 'Cyr', 'Thériault', 'Deschênes', 'Létourneau', 'Dionne', 'Béliveau', 'Charbonneau',
  'Lemieux', 'Robichaud', 'Arsenault',
  // English, Scottish, Irish
  'Smith', 'Brown', 'Wilson', 'MacDonald', 'Campbell', 'Anderson', 'Taylor', 'Johnson', 'Thompson',
  'Williams', 'Jones', 'Miller', 'Stewart', 'Murray', 'Robertson', 'Reid', 'Ross', 'Fraser',
  'Young', 'Clarke', 'Walker', 'White', 'Mitchell', 'Morrison', 'Hamilton', 'MacLeod',
  'McKenzie', 'Sinclair', "O'Brien", 'Kelly', 'Murphy', 'Sullivan', 'Fitzgerald', 'Bell',
  'Cameron', 'Harris', 'Morgan', 'Gordon', 'Kennedy', 'Wright', 'King', 'Hughes', 'Watson', 'Grant',
  'Ferguson', 'Henderson',
  // Other communities
  'Singh', 'Patel', 'Li', 'Wang', 'Chen', 'Nguyen', 'Kim', 'Ali', 'Khan', 'Sharma', 'Wong', 'Lee',
  'Gill', 'Sandhu', 'Dhillon', 'Tran', 'Park', 'Zhang', 'Haddad', 'Ahmed',
]);

/** Initials that read naturally as a middle initial. */
export const MIDDLE_INITIALS: readonly string[] = Object.freeze('ABCDEFGHJKLMNPRSTW'.split(''));

/** Most names one call will produce. */
export const MAX_PLAUSIBLE_NAMES = 1_000_000;

const DOMAIN = utf8ToBytes('undersigned/plausible-names/1');

/**
 * `count` distinct plausible names, fully determined by `randomBytes` (at least 16 bytes).
 * Throws RangeError on a count that is not an integer in 0..MAX_PLAUSIBLE_NAMES, TypeError on
 * fewer than 16 random bytes (these are programming errors, not bad user input).
 */
export function plausibleNames(count: number, randomBytes: Uint8Array): string[] {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PLAUSIBLE_NAMES) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_PLAUSIBLE_NAMES}`);
  }
  if (!(randomBytes instanceof Uint8Array) || randomBytes.length < 16) {
    throw new TypeError('randomBytes must be a Uint8Array of at least 16 bytes');
  }
  const rng = new Stream(randomBytes);
  const G = GIVEN_NAMES.length;
  const F = FAMILY_NAMES.length;
  const M = MIDDLE_INITIALS.length;
  const pairs = G * F;
  const out: string[] = [];

  // Tier 1: given + family.
  const pairOrder = sample(rng, pairs, Math.min(count, pairs));
  for (const k of pairOrder) out.push(`${GIVEN_NAMES[k % G]} ${FAMILY_NAMES[Math.floor(k / G)]}`);

  // Tier 2: given + middle initial + family.
  let left = count - out.length;
  if (left > 0) {
    const triples = pairs * M;
    for (const k of sample(rng, triples, Math.min(left, triples))) {
      const pair = k % pairs;
      const initial = MIDDLE_INITIALS[Math.floor(k / pairs)];
      out.push(`${GIVEN_NAMES[pair % G]} ${initial}. ${FAMILY_NAMES[Math.floor(pair / G)]}`);
    }
  }

  // Tier 3: numeric suffixes, cycling through the (shuffled) pairs.
  left = count - out.length;
  for (let j = 0; j < left; j++) {
    const k = pairOrder[j % pairs];
    out.push(`${GIVEN_NAMES[k % G]} ${FAMILY_NAMES[Math.floor(k / G)]} ${2 + Math.floor(j / pairs)}`);
  }

  // Interleave the tiers (tier 1 alone is already in random order).
  if (out.length > pairs) {
    for (let i = out.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
  }
  return out;
}

/** `k` distinct integers from [0, n), in random order (partial Fisher–Yates shuffle). */
function sample(rng: Stream, n: number, k: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(n - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.subarray(0, k);
}

/** SHA-256 in counter mode, read as big-endian 32-bit words. */
class Stream {
  private readonly input: Uint8Array;
  private readonly view: DataView;
  private counter = 0;
  private block = new Uint8Array(0);
  private offset = 0;

  constructor(seed: Uint8Array) {
    const key = sha256(concatBytes(DOMAIN, new Uint8Array([0]), seed));
    this.input = new Uint8Array(36);
    this.input.set(key, 0);
    this.view = new DataView(this.input.buffer);
  }

  private word(): number {
    if (this.offset === this.block.length) {
      this.view.setUint32(32, this.counter++);
      this.block = sha256(this.input);
      this.offset = 0;
    }
    const b = this.block;
    const o = this.offset;
    this.offset += 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** Uniform integer in [0, n), 1 ≤ n ≤ 2^32. */
  below(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const w = this.word();
      if (w < limit) return w % n;
    }
  }
}
