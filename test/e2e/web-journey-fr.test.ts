/** Le parcours complet, en français (journey-suite.ts): a browser whose language is French. */
import { journeySuite } from './journey-suite.ts';

journeySuite('fr');
