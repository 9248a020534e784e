/**
 * What every screen may need: the instance (name, log key), this device's member identity
 * (locked or unlocked), the membership session, the state of the public log as this browser
 * sees it, and the outbox of signatures waiting to be sent.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { IdentityFile } from '../core/identity/identity-file.ts';
import { ApiFailure, api, type InstanceInfo } from './api.ts';
import { device, type PendingRecord } from './device.ts';
import { checkLog, type LogCheck } from './logwatch.ts';
import { prove } from './prover/client.ts';
import type { Progress } from './prover/protocol.ts';

export interface AppState {
  instance: InstanceInfo | null;
  instanceError: ApiFailure | null;
  reloadInstance: () => void;

  identityFile: IdentityFile | null;
  privateKey: string | null;
  /** Keep an opened identity on this device: the encrypted file, and the key for this tab. */
  remember: (file: IdentityFile | null, privateKey: string) => void;
  lock: () => void;
  forget: () => void;

  /** A membership session token, opening a new one (a proof over a fresh challenge) when needed. */
  ensureSession: (onProgress?: (p: Progress | { stage: 'session' }) => void) => Promise<{ token: string; renewed: 'new' | 'expired' | null }>;

  log: LogCheck | null;
  logError: ApiFailure | null;
  refreshLog: () => Promise<LogCheck | null>;

  outbox: PendingRecord[];
  setOutbox: (items: PendingRecord[]) => void;

  adminToken: string | null;
  setAdminToken: (token: string | null) => void;
}

const Context = createContext<AppState | null>(null);

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [instance, setInstance] = useState<InstanceInfo | null>(null);
  const [instanceError, setInstanceError] = useState<ApiFailure | null>(null);
  const [identityFile, setIdentityFile] = useState<IdentityFile | null>(() => device.identityFile());
  const [privateKey, setPrivateKey] = useState<string | null>(() => device.privateKey());
  const [log, setLog] = useState<LogCheck | null>(null);
  const [logError, setLogError] = useState<ApiFailure | null>(null);
  const [outbox, setOutboxState] = useState<PendingRecord[]>(() => device.outbox());
  const [adminToken, setAdminTokenState] = useState<string | null>(() => device.adminToken());
  const instanceRef = useRef<InstanceInfo | null>(null);

  const reloadInstance = useCallback(() => {
    api
      .instance()
      .then((info) => {
        instanceRef.current = info;
        setInstance(info);
        setInstanceError(null);
      })
      .catch((e: unknown) => setInstanceError(e instanceof ApiFailure ? e : new ApiFailure('server_unreachable', String(e), 0)));
  }, []);
  useEffect(reloadInstance, [reloadInstance]);

  const refreshLog = useCallback(async () => {
    const info = instanceRef.current ?? (await api.instance().catch(() => null));
    if (!info) return null;
    try {
      const result = await checkLog(info.verifierKey);
      setLog(result);
      setLogError(null);
      return result;
    } catch (e) {
      setLogError(e instanceof ApiFailure ? e : new ApiFailure('server_unreachable', String(e), 0));
      return null;
    }
  }, []);
  useEffect(() => {
    if (instance) void refreshLog();
  }, [instance, refreshLog]);

  const remember = useCallback((file: IdentityFile | null, key: string) => {
    if (file) {
      device.setIdentityFile(file);
      setIdentityFile(file);
    }
    device.setPrivateKey(key);
    device.setMemberSession(null);
    setPrivateKey(key);
  }, []);
  const lock = useCallback(() => {
    device.lock();
    setPrivateKey(null);
  }, []);
  const forget = useCallback(() => {
    device.forgetIdentity();
    setIdentityFile(null);
    setPrivateKey(null);
  }, []);

  const ensureSession = useCallback<AppState['ensureSession']>(
    async (onProgress) => {
      const kept = device.memberSession();
      // A minute of margin: a session about to expire is renewed rather than used.
      if (kept && Date.parse(kept.expiresAt) - Date.now() > 60_000) return { token: kept.token, renewed: null };
      const key = device.privateKey();
      if (!key) throw new ApiFailure('locked', 'unlock your identity first', 0);
      onProgress?.({ stage: 'session' });
      const [{ snapshot, ref }, { challenge }] = await Promise.all([api.roster(), api.challenge()]);
      const { proof } = await prove('prove-session', { privateKey: key, snapshot, ref, challenge }, onProgress);
      const s = await api.session(challenge, proof);
      device.setMemberSession({ token: s.session, expiresAt: s.expiresAt });
      return { token: s.session, renewed: kept ? 'expired' : 'new' };
    },
    [],
  );

  const setOutbox = useCallback((items: PendingRecord[]) => {
    device.setOutbox(items);
    setOutboxState(items);
  }, []);
  const setAdminToken = useCallback((token: string | null) => {
    device.setAdminToken(token);
    setAdminTokenState(token);
  }, []);

  const value = useMemo<AppState>(
    () => ({
      instance,
      instanceError,
      reloadInstance,
      identityFile,
      privateKey,
      remember,
      lock,
      forget,
      ensureSession,
      log,
      logError,
      refreshLog,
      outbox,
      setOutbox,
      adminToken,
      setAdminToken,
    }),
    [instance, instanceError, reloadInstance, identityFile, privateKey, remember, lock, forget, ensureSession, log, logError, refreshLog, outbox, setOutbox, adminToken, setAdminToken],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useApp(): AppState {
  const v = useContext(Context);
  if (!v) throw new Error('useApp outside AppStateProvider');
  return v;
}
