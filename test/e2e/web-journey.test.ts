/** The whole web journey in English (journey-suite.ts). */
import { journeySuite } from './journey-suite.ts';

journeySuite('en');
