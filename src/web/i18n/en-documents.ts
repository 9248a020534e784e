/** English messages of the PDF documents in the app: the delivery document, the enrollment sheet (issue #15). */
export const enDocuments = {
  'document.title': 'The document for the recipient',
  'document.lead': 'A PDF of the letter, its count, the names signed openly and how to check it, made in this browser from the result file once this browser has verified it.',
  'document.download': 'Download the document (PDF)',
  'document.downloadFile': 'Download the result file',
  'document.checking': 'Checking the result file…',
  'document.making': 'Making the document…',
  'document.refused': 'No document: the result file does not verify.',
  'document.hint': 'Hand the recipient both files: the document says which result file it summarises (its SHA-256), and the file is the proof.',
  'codes.download': 'Download the sheet (PDF)',
  'codes.downloadHint': 'These codes exist only in this tab: save the sheet now, before you do anything else. A closed tab loses them, and each member would need a new code.',
  'codes.leaveWarning': 'Enrollment codes are shown only in this tab. Leave anyway?',
  'codes.qr': 'QR code: opens the enrollment page with this code filled in',
  'enroll.codeFromLink': 'The code from your slip is filled in. Check that it is the one printed on it.',
  'verify.expected': 'The document you scanned describes the result file with these fingerprint words:',
  'verify.expectedMatch': 'This is the file the document describes (its SHA-256 matches).',
  'verify.expectedOther': 'This is NOT the file the document describes: its SHA-256 differs. Ask for the right file.',
} as const;
