/**
 * The words of the documents (the delivery document and the enrollment sheet), in English and
 * French. Dates and numbers are spelled here by hand, not by Intl: the same bundle must give the
 * same bytes in Node and in every browser, whatever their ICU data.
 */
import type { DecisionRule, Preset } from '../core/ballot/procedures.ts';
import { atLeast, yesNeededOfMembers } from '../core/ballot/procedures.ts';

export const DOCUMENT_LANGUAGES = ['en', 'fr'] as const;
export type DocumentLanguage = (typeof DOCUMENT_LANGUAGES)[number];

const MONTHS = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
};

/** An instant of the protocol (YYYY-MM-DDTHH:MM:SSZ) in words, in UTC: "1 December 2026, 17:00 UTC". */
export function instantText(lang: DocumentLanguage, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):\d{2}(?:\.\d+)?Z$/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, h, mi] = m;
  const month = MONTHS[lang][Number(mo) - 1];
  // No-break spaces: a date or a time is never cut across two lines.
  return lang === 'fr' ? `${Number(d)}\u00a0${month}\u00a0${y}, ${h}\u00a0h\u00a0${mi}\u00a0UTC` : `${Number(d)}\u00a0${month}\u00a0${y}, ${h}:${mi}\u00a0UTC`;
}

/** 12345 → "12,345" (en) or "12 345" (fr, with a no-break space). */
export function numberText(lang: DocumentLanguage, n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? '\u00a0' : ',');
}

type Vars = Record<string, string | number>;
const fill = (lang: DocumentLanguage, s: string, v: Vars) => s.replace(/\{(\w+)\}/g, (_, k: string) => (typeof v[k] === 'number' ? numberText(lang, v[k] as number) : String(v[k] ?? '')));

const EN = {
  'letter.kind': 'Letter',
  'letter.to': 'To: {recipient}',
  'letter.count': '{n} of {m} members signed',
  'letter.count.one': '{n} of {m} members signed',
  'letter.closed': 'Count at the close of the letter (log entry {index}). Deadline for signing: {deadline}.',
  'letter.text': 'The letter',
  'letter.named': 'Signed by name',
  'letter.namedNone': 'Nobody signed by name; every signature was anonymous or sealed.',
  'letter.namedCount': '{n} of the {count} signers signed by name:',
  'letter.namedCount.one': '{n} of the {count} signers signed by name:',
  'sealed.title': 'Sealed signatures',
  'sealed.rule': 'A sealed signature names its signer only if the letter reaches {t} signatures; the names are opened by the trustees, {k} of {n} of them together.',
  'sealed.none': 'Nobody signed this letter sealed.',
  'sealed.notReached': 'The threshold ({t} signatures) was not reached: no sealed name was revealed. {s} sealed signature(s) are counted above and stay sealed for good.',
  'sealed.pending': 'The threshold ({t} signatures) was reached, but this file does not yet hold the trustees’ part: {s} sealed name(s) not revealed yet.',
  'sealed.revealed': 'The threshold ({t} signatures) was reached; the trustees revealed these sealed names:',
  'sealed.revealedNone': 'The threshold ({t} signatures) was reached; the trustees opened the sealed signatures, and none named a member.',
  'sealed.invalid': '{n} sealed signature(s) could not be opened: counted, but naming nobody.',
  'ballot.kind': 'Ballot',
  'ballot.question': 'Question',
  'ballot.voters': '{n} of {m} members voted',
  'ballot.deadline': 'Voting closed at the ballot’s close (log entry {index}). Deadline for voting: {deadline}.',
  'ballot.tally': 'Tally',
  'ballot.notTallied': 'Not tallied yet: the trustees had not decrypted the tally when this file was made.',
  'ballot.decision': 'Decision: {decision}',
  'ballot.noDecision': 'No decision yet.',
  'ballot.rule': 'Rule',
  'ballot.needed': '{n} “yes” votes were needed.',
  'ballot.source': 'Source: {citation}',
  'ballot.detail': 'As the verifier computed it: {detail}',
  'ballot.notice': 'Notice',
  'ballot.noticeText': '“{title}”, to {recipient}: {n} of {m} members signed; the procedure needed {needed}.',
  'ballot.recorded': 'Recorded votes (this ballot is not secret)',
  'check.title': 'How this document can be checked',
  'check.fileHash': 'Result file (SHA-256):',
  'check.fileWords': 'The same, as words:',
  'check.log': 'Public log checkpoint: {origin}, {size} entries; its root hash as words:',
  'check.key': 'Log key:',
  'check.witnesses': 'Witnesses: {c} of {w} cosigned this checkpoint ({q} needed).',
  'check.noWitnesses': 'Witnesses: none named.',
  'check.qr': 'Scan to open the verify page for this file:',
  'check.how':
    'This document is a summary; the proof is the result file. To check it without trusting the organizer or the server: get the result file, and check that its SHA-256 is the one above (sha256sum FILE; the words are its first 8 bytes, as docs/protocol.md §1.1 says). Then verify the file: on the verify page (the QR code), where it is checked in the browser with no request, or with `npx undersigned verify FILE`. Both recompute every proof, the count and the names from the file alone. Last, compare the log key above with the one the organizer published.',
  'yes': 'Yes',
  'no': 'No',
  'abstain': 'Abstain',
  'sheet.title': 'Enrollment codes — {group}',
  'sheet.step1': 'Open {url} on your phone or computer (or scan the code), choose a passphrase and save your backup file.',
  'sheet.step2': 'Your code (single use, valid until {date}):',
  'sheet.private': 'Keep this slip private: whoever has the code can enroll in your place.',
  'sheet.footer': 'Scanning the code only opens the page: the code is spent when you enroll.',
};
type Key = keyof typeof EN;

const FR: Record<Key, string> = {
  'letter.kind': 'Lettre',
  'letter.to': 'Destinataire\u00a0: {recipient}',
  'letter.count': '{n} membres sur {m} ont signé',
  'letter.count.one': '{n} membre sur {m} a signé',
  'letter.closed': 'Compte à la clôture de la lettre (entrée {index} du journal public). Date limite de signature\u00a0: {deadline}.',
  'letter.text': 'La lettre',
  'letter.named': 'Signé nommément',
  'letter.namedNone': 'Personne n’a signé nommément\u00a0: toutes les signatures sont anonymes ou sous scellé.',
  'letter.namedCount': '{n} des {count} signataires ont signé nommément\u00a0:',
  'letter.namedCount.one': '{n} des {count} signataires a signé nommément\u00a0:',
  'sealed.title': 'Signatures sous scellé',
  'sealed.rule': 'Une signature sous scellé ne nomme son auteur que si la lettre atteint {t} signatures\u00a0; les noms sont ouverts par les fiduciaires, {k} sur {n} ensemble.',
  'sealed.none': 'Personne n’a signé cette lettre sous scellé.',
  'sealed.notReached': 'Le seuil ({t} signatures) n’a pas été atteint\u00a0: aucun nom scellé n’a été révélé. {s} signature(s) sous scellé sont comptées ci-dessus et restent scellées pour de bon.',
  'sealed.pending': 'Le seuil ({t} signatures) a été atteint, mais ce fichier ne contient pas encore la part des fiduciaires\u00a0: {s} nom(s) scellé(s) pas encore révélé(s).',
  'sealed.revealed': 'Le seuil ({t} signatures) a été atteint\u00a0; les fiduciaires ont révélé ces noms scellés\u00a0:',
  'sealed.revealedNone': 'Le seuil ({t} signatures) a été atteint\u00a0; les fiduciaires ont ouvert les signatures sous scellé, et aucune ne désignait un membre.',
  'sealed.invalid': '{n} signature(s) sous scellé n’ont pas pu être ouvertes\u00a0: comptées, mais ne nommant personne.',
  'ballot.kind': 'Scrutin',
  'ballot.question': 'Question',
  'ballot.voters': '{n} membres sur {m} ont voté',
  'ballot.deadline': 'Vote clos à la clôture du scrutin (entrée {index} du journal public). Date limite du vote\u00a0: {deadline}.',
  'ballot.tally': 'Résultat',
  'ballot.notTallied': 'Pas encore dépouillé\u00a0: les fiduciaires n’avaient pas déchiffré le résultat quand ce fichier a été fait.',
  'ballot.decision': 'Décision\u00a0: {decision}',
  'ballot.noDecision': 'Pas encore de décision.',
  'ballot.rule': 'Règle',
  'ballot.needed': 'Il fallait {n} votes «\u00a0oui\u00a0».',
  'ballot.source': 'Source\u00a0: {citation}',
  'ballot.detail': 'Tel que le vérificateur l’a calculé (en anglais)\u00a0: {detail}',
  'ballot.notice': 'Avis',
  'ballot.noticeText': '«\u00a0{title}\u00a0», à {recipient}\u00a0: {n} membres sur {m} ont signé\u00a0; la procédure en demandait {needed}.',
  'ballot.recorded': 'Votes enregistrés (ce scrutin n’est pas secret)',
  'check.title': 'Comment vérifier ce document',
  'check.fileHash': 'Fichier de résultat (SHA-256)\u00a0:',
  'check.fileWords': 'Le même, en mots\u00a0:',
  'check.log': 'Point de contrôle du journal public\u00a0: {origin}, {size} entrées\u00a0; son empreinte en mots\u00a0:',
  'check.key': 'Clé du journal\u00a0:',
  'check.witnesses': 'Témoins\u00a0: {c} sur {w} ont cosigné ce point de contrôle ({q} requis).',
  'check.noWitnesses': 'Témoins\u00a0: aucun.',
  'check.qr': 'Scannez pour ouvrir la page de vérification de ce fichier\u00a0:',
  'check.how':
    'Ce document est un résumé\u00a0; la preuve est le fichier de résultat. Pour le vérifier sans faire confiance à l’organisateur ni au serveur\u00a0: obtenez le fichier de résultat et vérifiez que son SHA-256 est celui ci-dessus (sha256sum FICHIER\u00a0; les mots en sont les 8 premiers octets, comme le décrit docs/protocol.md §1.1). Puis vérifiez le fichier\u00a0: sur la page de vérification (le code QR), où il est vérifié dans le navigateur sans aucune requête, ou avec `npx undersigned verify FICHIER`. Les deux recalculent chaque preuve, le compte et les noms à partir du seul fichier. Enfin, comparez la clé du journal ci-dessus avec celle que l’organisateur a publiée.',
  'yes': 'Oui',
  'no': 'Non',
  'abstain': 'Abstention',
  'sheet.title': 'Codes d’inscription — {group}',
  'sheet.step1': 'Ouvrez {url} sur votre téléphone ou votre ordinateur (ou scannez le code), choisissez une phrase secrète et enregistrez votre fichier de sauvegarde.',
  'sheet.step2': 'Votre code (à usage unique, valable jusqu’au {date})\u00a0:',
  'sheet.private': 'Gardez ce coupon pour vous\u00a0: qui a le code peut s’inscrire à votre place.',
  'sheet.footer': 'Scanner le code ne fait qu’ouvrir la page\u00a0: le code n’est utilisé qu’à l’inscription.',
};

export function documentText(lang: DocumentLanguage, key: Key, vars: Vars = {}): string {
  return fill(lang, (lang === 'fr' ? FR : EN)[key], vars);
}

const OUTCOMES: Record<string, { en: string; fr: string }> = {
  removed: { en: 'Removed', fr: 'Destitué' },
  'not-removed': { en: 'Not removed', fr: 'Non destitué' },
  expelled: { en: 'Expelled', fr: 'Expulsé' },
  'not-expelled': { en: 'Not expelled', fr: 'Non expulsé' },
  readmitted: { en: 'Readmitted', fr: 'Réadmis' },
  'not-readmitted': { en: 'Not readmitted', fr: 'Non réadmis' },
  adopted: { en: 'Adopted', fr: 'Adoptée' },
  'not-adopted': { en: 'Not adopted', fr: 'Non adoptée' },
  rejected: { en: 'Rejected', fr: 'Rejetée' },
  'confidence-kept': { en: 'Confidence kept', fr: 'Confiance maintenue' },
  'confidence-lost': { en: 'Confidence lost', fr: 'Confiance perdue' },
  spill: { en: 'Spill: the leadership is vacant', fr: 'Direction déclarée vacante' },
  'no-spill': { en: 'No spill', fr: 'Direction maintenue' },
  tie: { en: 'Tie', fr: 'Égalité' },
  'no-quorum': { en: 'No quorum', fr: 'Quorum non atteint' },
};

/** A decision word in the reader's language; a candidate's name as it was typed. */
export function outcomeText(lang: DocumentLanguage, decision: string): string {
  const o = OUTCOMES[decision];
  return o ? o[lang] : lang === 'fr' ? `Élu\u00a0: ${decision}` : `Elected: ${decision}`;
}

/** An option of a ballot: yes / no / abstain translated, candidates as typed. */
export function optionText(lang: DocumentLanguage, option: string): string {
  return option === 'yes' || option === 'no' || option === 'abstain' ? documentText(lang, option) : option;
}

const RULES: Record<DecisionRule['kind'], { en: string; fr: string }> = {
  'majority-of-members': {
    en: 'a majority of all {m} members: {needed} “yes” votes (absences and abstentions count against)',
    fr: 'la majorité de tous les {m} membres\u00a0: {needed} votes «\u00a0oui\u00a0» (absences et abstentions comptent contre)',
  },
  'majority-of-votes-cast': { en: 'a majority of the “yes” and “no” votes cast', fr: 'la majorité des votes «\u00a0oui\u00a0» et «\u00a0non\u00a0» exprimés' },
  'fraction-of-members': {
    en: '{fraction} of all {m} members: {needed} “yes” votes (absences count against)',
    fr: '{fraction} de tous les {m} membres\u00a0: {needed} votes «\u00a0oui\u00a0» (les absences comptent contre)',
  },
  'fraction-of-votes-cast': { en: '{fraction} of the “yes” and “no” votes cast', fr: '{fraction} des votes «\u00a0oui\u00a0» et «\u00a0non\u00a0» exprimés' },
  plurality: { en: 'the candidate with the most votes', fr: 'la personne candidate qui obtient le plus de voix' },
};

/** A preset's decision rule in words, with its numbers for this roster (as the ballot page says it). */
export function ruleText(lang: DocumentLanguage, preset: Preset, rosterSize: number): string {
  const r = preset.rule;
  const fraction = 'fraction' in r ? `${r.fraction.num}/${r.fraction.den}` : '';
  let text = fill(lang, RULES[r.kind][lang], { m: rosterSize, needed: yesNeededOfMembers(r, rosterSize) ?? 0, fraction });
  if (r.quorum) text += lang === 'fr' ? `, avec un quorum de ${numberText(lang, atLeast(r.quorum, rosterSize))} bulletins` : `, with a quorum of ${numberText(lang, atLeast(r.quorum, rosterSize))} ballots`;
  return text;
}
