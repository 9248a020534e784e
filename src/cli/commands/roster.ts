/**
 * `undersigned roster …`: the organizer adds, lists and removes members on the local instance, and
 * hands out enrollment and replacement codes.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseRosterCsv } from '../../core/roster/roster-csv.ts';
import { dataOption, json, out, parseInteger, readText, withInstance } from '../command-kit.ts';
import { CliError } from '../errors.ts';

export function rosterCommands(program: Command): void {
  const roster = program.command('roster').description('the group roster (organizer)');
  roster
    .command('add <name>')
    .description('add a member and print their single-use enrollment code')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (name: string, o) => {
      await withInstance(o.data, async (i) => {
        const [m] = await i.enrollment.addMembers([{ name }]);
        if (o.json) json(m);
        else out(`added member ${m.id}: ${m.name}\nenrollment code: ${m.code} (single use, expires ${m.expiresAt})`);
      });
    });
  roster
    .command('import <file.csv>')
    .description('add members from a CSV file with a "name" column; writes their enrollment codes')
    .addOption(dataOption())
    .requiredOption('--codes-out <file.csv>', 'where to write name,code,expires (keep it safe: codes are secrets)')
    .action(async (file: string, o) => {
      const parsed = parseRosterCsv(readText(file, 'roster file'));
      if (!parsed.ok) throw new CliError(parsed.code, `${file}: ${parsed.reason}`);
      await withInstance(o.data, async (i) => {
        const added = await i.enrollment.addMembers(parsed.members);
        const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        writeFileSync(o.codesOut, 'id,name,code,expires\n' + added.map((m) => `${m.id},${quote(m.name)},${m.code},${m.expiresAt}`).join('\n') + '\n', { mode: 0o600 });
        out(`added ${added.length} members; enrollment codes written to ${o.codesOut}`);
      });
    });
  roster
    .command('list')
    .description('list the roster')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (o) => {
      await withInstance(o.data, async (i) => {
        const { snapshot, ref } = await i.roster.current();
        if (o.json) return json({ snapshot, ref });
        for (const m of snapshot.members) out(`${String(m.id).padStart(5)}  ${m.commitment ? 'enrolled    ' : 'not enrolled'}  ${m.name}`);
        out(`${ref.size} members, ${ref.enrolled} enrolled; root ${ref.root}`);
      });
    });
  roster
    .command('remove <id>')
    .description('remove a member (a logged event)')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const r = await i.enrollment.removeMember(parseInteger('<id>')(id));
        out(`removed member ${id} (log entry ${r.index})`);
      });
    });
  roster
    .command('code <id>')
    .description('a new enrollment code for a member who has not enrolled')
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const c = await i.enrollment.reissueCode(parseInteger('<id>')(id));
        out(`enrollment code: ${c.code} (single use, expires ${c.expiresAt})`);
      });
    });
  roster
    .command('replace <id>')
    .description("approve the replacement of a member's lost identity: prints a replacement code")
    .addOption(dataOption())
    .action(async (id: string, o) => {
      await withInstance(o.data, async (i) => {
        const c = await i.enrollment.approveReplacement(parseInteger('<id>')(id));
        out(`replacement code: ${c.code} (single use, expires ${c.expiresAt}); the member enrolls a new identity with it`);
      });
    });
}
