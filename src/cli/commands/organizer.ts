/**
 * `undersigned organizer …`: the organizer's own credentials, on the local data directory (the
 * organizer runs these on the server machine, like the roster commands). A token is listed by id
 * and dates only: the instance keeps its SHA-256, never the token.
 */
import { Command } from 'commander';
import { dataOption, json, out, parseInteger, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';

export function organizerCommands(program: Command): void {
  const organizer = program.command('organizer').description("the organizer's tokens (organizer)");
  const tokens = organizer.command('tokens').description('organizer tokens: each made by one setup link');
  tokens
    .command('list')
    .description('list the organizer tokens: id, made, expires')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        const list = await i.admin.listTokens();
        if (o.json) return json(list);
        if (list.length === 0) return out('no organizer token: run `undersigned init --new-setup-token` for a setup link');
        for (const t of list) out(`${String(t.id).padStart(4)}  made ${t.createdAt}  ${t.expired ? 'expired' : 'expires'} ${t.expiresAt}`);
      });
    });
  tokens
    .command('revoke [id]')
    .description('revoke an organizer token at once (or every one, with --all)')
    .addOption(dataOption())
    .option('--all', 'revoke every organizer token')
    .action(async (id: string | undefined, o) => {
      if ((id === undefined) === !o.all) throw new CliError('usage', 'name one token id (see `organizer tokens list`), or --all', 2);
      await withInstance(o.data, async (i) => {
        const ids = o.all ? (await i.admin.listTokens()).map((t) => t.id) : [parseInteger('token id', 1)(id!)];
        for (const n of ids) await i.admin.revokeToken(n);
        out(ids.length ? `revoked organizer token${ids.length > 1 ? 's' : ''} ${ids.join(', ')}` : 'there was no organizer token');
      });
    });
}
