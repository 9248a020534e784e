/**
 * Verifiers in this project return a result with a reason instead of throwing on bad input
 * (STYLE.md: pick one). `code` is stable and machine-readable; `reason` is for a person.
 */
export type Check<T = object> = ({ ok: true } & T) | { ok: false; code: string; reason: string };

export const pass = <T extends object>(value: T = {} as T): Check<T> => ({ ok: true, ...value });
export const fail = (code: string, reason: string): { ok: false; code: string; reason: string } => ({
  ok: false,
  code,
  reason,
});
