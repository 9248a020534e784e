/**
 * Imported first by the page and by each worker: zod's compiled fast path probes for `new Function`,
 * which the page's Content-Security-Policy forbids (no 'unsafe-eval'). The probe is caught, but the
 * browser still reports a CSP violation; jitless mode skips both. Validation is the same either way.
 */
import { config } from 'zod';

config({ jitless: true });
