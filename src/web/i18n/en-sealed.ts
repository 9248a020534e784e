/** English messages for sealed signatures and the trustee page (merged into en.ts). */
export const enSealed = {
  'trustee.title': 'Trustee',
} as const;
