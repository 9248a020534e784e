/** Messages en français des documents PDF de l’application : le document du destinataire, la feuille d’inscription (ticket 15). */
import type { enDocuments } from './en-documents.ts';

export const frDocuments: Record<keyof typeof enDocuments, string> = {
  'document.title': 'Le document pour le destinataire',
  'document.lead': 'Un PDF de la lettre, de son décompte, des noms signés ouvertement et de la façon de le vérifier, fait dans ce navigateur à partir du fichier de résultat, une fois que ce navigateur l’a vérifié.',
  'document.download': 'Télécharger le document (PDF)',
  'document.downloadFile': 'Télécharger le fichier de résultat',
  'document.checking': 'Vérification du fichier de résultat…',
  'document.making': 'Préparation du document…',
  'document.refused': 'Pas de document\u00a0: le fichier de résultat ne se vérifie pas.',
  'document.hint': 'Remettez les deux fichiers au destinataire\u00a0: le document indique quel fichier de résultat il résume (son SHA-256), et le fichier en est la preuve.',
  'codes.download': 'Télécharger la feuille (PDF)',
  'codes.downloadHint': 'Ces codes n’existent que dans cet onglet\u00a0: enregistrez la feuille maintenant, avant toute autre chose. Un onglet fermé les perd, et chaque membre aurait besoin d’un nouveau code.',
  'codes.leaveWarning': 'Les codes d’inscription ne sont affichés que dans cet onglet. Quitter quand même\u00a0?',
  'codes.qr': 'Code QR\u00a0: ouvre la page d’inscription avec ce code déjà saisi',
  'enroll.codeFromLink': 'Le code de votre coupon est déjà saisi. Vérifiez que c’est bien celui qui y est imprimé.',
  'verify.expected': 'Le document que vous avez scanné décrit le fichier de résultat qui a ces mots d’empreinte\u00a0:',
  'verify.expectedMatch': 'C’est bien le fichier que décrit le document (son SHA-256 correspond).',
  'verify.expectedOther': 'Ce n’est PAS le fichier que décrit le document\u00a0: son SHA-256 diffère. Demandez le bon fichier.',
  'verify.downloadVerifier': 'Télécharger ce vérificateur en un seul fichier (undersigned-verify.html)',
  'verify.downloadVerifierWhy': 'Ouvert depuis le disque, il vérifie un fichier de résultat sans réseau ni serveur\u00a0: remettez-le au destinataire avec le fichier de résultat.',
  'verifier.title': 'Vérifier un fichier de résultat, hors ligne',
  'verifier.lead': 'Cette page est un seul fichier\u00a0: le vérificateur, son WebAssembly et les clés de vérification sont tous dedans. Elle ne fait aucune requête\u00a0; vous pouvez l’ouvrir depuis le disque, réseau coupé.',
  'verifier.source': 'Le même vérificateur que la commande «\u00a0undersigned verify\u00a0» et la page de vérification d’un serveur undersigned.',
};
