/**
 * A small router over the History API: the server answers index.html for each of these paths
 * (src/server/web.ts lists the same ones). After each navigation the page's heading takes the
 * focus, so a screen-reader or keyboard user starts at the top of the new screen.
 */
import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'setup' }
  | { name: 'organizer' }
  | { name: 'codes' }
  | { name: 'organizer-letters' }
  | { name: 'enroll' }
  | { name: 'restore' }
  | { name: 'unlock' }
  | { name: 'letters' }
  | { name: 'new-letter' }
  | { name: 'letter'; id: string }
  | { name: 'log' }
  | { name: 'verify' }
  | { name: 'trustee' }
  | { name: 'ballots' }
  | { name: 'ballot'; id: string }
  | { name: 'not-found' };

const STATIC: Record<string, Route['name']> = {
  '/': 'home',
  '/setup': 'setup',
  '/organizer': 'organizer',
  '/organizer/codes': 'codes',
  '/organizer/letters': 'organizer-letters',
  '/enroll': 'enroll',
  '/restore': 'restore',
  '/unlock': 'unlock',
  '/letters': 'letters',
  '/letters/new': 'new-letter',
  '/log': 'log',
  '/verify': 'verify',
  '/trustee': 'trustee',
  '/ballots': 'ballots',
};

export function parseRoute(pathname: string): Route {
  const name = STATIC[pathname];
  if (name) return { name } as Route;
  const m = /^\/letters\/([0-9a-f]{64})$/.exec(pathname);
  if (m) return { name: 'letter', id: m[1] };
  const b = /^\/ballots\/([0-9a-f]{64})$/.exec(pathname);
  if (b) return { name: 'ballot', id: b[1] };
  return { name: 'not-found' };
}

const Context = createContext<{ route: Route; search: URLSearchParams; navigate: (to: string) => void } | null>(null);

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const onPop = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string) => {
    const url = new URL(to, window.location.origin);
    window.history.pushState(null, '', url.pathname + url.search + url.hash);
    setLocation({ pathname: url.pathname, search: url.search });
    window.scrollTo(0, 0);
  };
  const value = { route: parseRoute(location.pathname), search: new URLSearchParams(location.search), navigate };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useRouter() {
  const v = useContext(Context);
  if (!v) throw new Error('useRouter outside RouterProvider');
  return v;
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const { navigate } = useRouter();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
