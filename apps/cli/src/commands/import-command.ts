import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { ValidationError } from '@loopwright/core';
import { TRANSCRIPT_FORMATS, TranscriptFormat } from '@loopwright/events';
import { EXIT, CliContext } from '../cli-context';
import { importFile, ImportOutcome, transcriptFiles } from '../import/import-batch';
import { importGoalFrom, ImportGoalFlags } from '../import/import-goal';
import { summaryTable } from '../import/summary-table';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ImportFlags extends ImportGoalFlags {
  format?: string;
  progress: boolean;
}

export function importCommand(context: CliContext): Command {
  return new Command('import')
    .description(
      'import agent transcripts as runs in the log (graded and mined like any run). Importing the same transcript again adds nothing.',
    )
    .argument('<paths...>', 'transcript files, or folders of them')
    .option('--format <format>', `the transcripts' format (detected when not given): ${TRANSCRIPT_FORMATS.join(', ')}`)
    .option('--goal <file>', 'YAML with what the transcripts do not say: allowedPaths, scratchPaths, testCommand, role, title, description')
    .option('--allow <glob>', 'a path the agent may change, e.g. "src/**" or "!**/tests/**" (repeat; default "**")', collect)
    .option('--scratch <glob>', 'where scratch files may go, never counted against scope (repeat; default "/tmp/**")', collect)
    .option('--test <command>', "the goal's test command (other test runners are recognized on their own)")
    .option('--role <role>', 'the role the agent played (default engineer)')
    .option('--description <text>', 'the task statement, when the transcripts lack one')
    .option('--budget <usd>', 'what grading each imported run may spend on judge calls (default 1)')
    .option('--no-progress', 'no progress bar')
    .action(async (paths: string[], flags: ImportFlags) => {
      if (flags.format !== undefined && !(TRANSCRIPT_FORMATS as readonly string[]).includes(flags.format)) {
        throw new ValidationError(`unknown --format "${flags.format}": use one of ${TRANSCRIPT_FORMATS.join(', ')}, or leave it out to detect it`);
      }
      const goal = importGoalFrom(flags);
      const files = await transcriptFiles(paths);
      const log = await context.log();
      const bar = flags.progress && process.stderr.isTTY ? new SingleBar({ format: 'importing [{bar}] {value}/{total} files | {file}', stream: process.stderr, hideCursor: true }) : null;
      bar?.start(files.length, 0, { file: '' });
      const outcomes: ImportOutcome[] = [];
      for (const [i, file] of files.entries()) {
        outcomes.push(...(await importFile(log, file, goal, { format: flags.format as TranscriptFormat | undefined, now: () => new Date() })));
        bar?.update(i + 1, { file });
      }
      bar?.stop();
      for (const line of summaryTable(outcomes)) console.log(line);
      for (const refused of outcomes.filter((o) => o.result === 'refused')) console.error(`error: ${refused.reason}`);
      if (outcomes.some((o) => o.result === 'refused')) process.exitCode = EXIT.usage;
    });
}
