/**
 * Where a passphrase comes from, in order: --passphrase-file, the UNDERSIGNED_PASSPHRASE
 * environment variable, or a prompt on the terminal (input not echoed).
 */
import { readFileSync } from 'node:fs';
import { CliError } from './errors.ts';

export async function readPassphrase(options: { passphraseFile?: string }, prompt = 'Passphrase: '): Promise<string> {
  if (options.passphraseFile) {
    try {
      return readFileSync(options.passphraseFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new CliError('passphrase_file_unreadable', `cannot read ${options.passphraseFile}: ${(e as Error).message}`, 2);
    }
  }
  const env = process.env.UNDERSIGNED_PASSPHRASE;
  if (env) return env;
  if (!process.stdin.isTTY) {
    throw new CliError('passphrase_missing', 'give the identity passphrase with --passphrase-file or UNDERSIGNED_PASSPHRASE', 2);
  }
  return promptHidden(prompt);
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
