/**
 * English and French: one message catalog per language (en.ts is the reference; fr.ts must have
 * exactly its keys, which the type checker enforces), the choice remembered on this device, and
 * dates and numbers formatted by Intl for the chosen language.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { device } from '../device.ts';
import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export type Language = 'en' | 'fr';
export const LANGUAGES: readonly Language[] = ['en', 'fr'];
const CATALOGS: Record<Language, Record<MessageKey, string>> = { en, fr };

export type Vars = Record<string, string | number>;

export interface I18n {
  lang: Language;
  setLang: (lang: Language) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  /** A plural message: `${key}.one` or `${key}.other` by Intl.PluralRules; `{n}` is the formatted count. */
  tn: (key: string, n: number, vars?: Vars) => string;
  /** The sentence for an error code, or `fallback` (the server's English message) inside a generic sentence. */
  error: (code: string, fallback?: string) => string;
  hasError: (code: string) => boolean;
  number: (n: number) => string;
  date: (iso: string) => string;
  bytes: (n: number) => string;
}

function initialLanguage(): Language {
  const saved = device.language();
  if (saved && LANGUAGES.includes(saved)) return saved;
  return navigator.language?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

function fill(template: string, vars: Vars | undefined, number: (n: number) => string): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = vars[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? number(v) : v;
  });
}

export function makeI18n(lang: Language, setLang: (l: Language) => void): I18n {
  const catalog = CATALOGS[lang];
  const numberFormat = new Intl.NumberFormat(lang);
  const dateFormat = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'long', timeStyle: 'short' });
  const plural = new Intl.PluralRules(lang);
  const number = (n: number) => numberFormat.format(n);
  const t = (key: MessageKey, vars?: Vars) => fill(catalog[key] ?? en[key] ?? key, vars, number);
  const has = (key: string): key is MessageKey => key in catalog;
  return {
    lang,
    setLang,
    t,
    tn: (key, n, vars) => {
      const k = `${key}.${plural.select(n)}`;
      const chosen = has(k) ? k : (`${key}.other` as MessageKey);
      return fill(catalog[chosen] ?? key, { n, ...vars }, number);
    },
    error: (code, fallback) => {
      const k = `error.${code}`;
      if (has(k)) return t(k);
      return t('error.unknown', { message: fallback ?? code });
    },
    hasError: (code) => has(`error.${code}`),
    number,
    date: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
    },
    bytes: (n) => `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n / 1_000_000)} ${lang === 'fr' ? 'Mo' : 'MB'}`,
  };
}

const Context = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const setLang = useCallback((l: Language) => {
    device.setLanguage(l);
    setLangState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Context);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** The switch to the other language (the app's header, the verifier in one file). */
export function LanguageSwitch() {
  const { lang, setLang } = useI18n();
  const other: Language = lang === 'en' ? 'fr' : 'en';
  return (
    <button type="button" className="link lang" lang={other} onClick={() => setLang(other)}>
      {other === 'fr' ? 'Français' : 'English'}
    </button>
  );
}
