/**
 * The server's clock, injected (tests and the demo move it). Times are stored and compared as ISO
 * 8601 strings to the second ("2026-11-25T13:00:00Z"), so string order is time order.
 */
export class Clock {
  constructor(readonly now: () => Date) {}

  /** Now, to the second. */
  iso(): string {
    return isoSeconds(this.now());
  }

  /** `minutes` from now, to the second. */
  later(minutes: number): string {
    return isoSeconds(new Date(this.now().getTime() + minutes * 60_000));
  }
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
