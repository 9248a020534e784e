/** Messages français des signatures scellées et de la page des fiduciaires (fusionnés dans fr.ts). */
import type { enSealed } from './en-sealed.ts';

export const frSealed: Record<keyof typeof enSealed, string> = {
  'trustee.title': 'Fiduciaire',
};
