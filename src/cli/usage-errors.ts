import type { Command, CommanderError } from 'commander';
import { QccError } from '../core/errors.js';

/**
 * Commander finds the mistakes in a command line (a missing argument, an unknown option); this turns its English
 * message into a catalogue error, so it reads in the user's language, names the fix and looks like every other
 * error. Help and version output pass through untouched.
 */
export function usageError(error: CommanderError, command: Command): CommanderError | QccError {
  const path = commandPath(command);
  const message = error.message.replace(/^error:\s*/, '');
  const quoted = [...message.matchAll(/'([^']*)'/g)].map((match) => match[1] ?? '');
  const suggestion = /\(Did you mean ([^?]+)\?\)/.exec(message)?.[1];
  const hint = suggestion ? ` (${suggestion}?)` : '';
  switch (error.code) {
    case 'commander.missingArgument':
      return new QccError('QCC_ERR_ARGUMENT_MISSING', { name: quoted[0] ?? '', command: path });
    case 'commander.unknownOption':
      return new QccError('QCC_ERR_OPTION_UNKNOWN', { option: quoted[0] ?? '', hint, command: path });
    case 'commander.unknownCommand':
      return new QccError('QCC_ERR_COMMAND_UNKNOWN', { name: quoted[0] ?? '', hint, command: path });
    case 'commander.optionMissingArgument':
      return new QccError('QCC_ERR_OPTION_VALUE_MISSING', { option: flagOf(quoted[0] ?? ''), command: path });
    case 'commander.excessArguments':
      return new QccError('QCC_ERR_ARGUMENTS_EXCESS', { command: path });
    case 'commander.invalidArgument': {
      // Only an option's choices are read; anything else commander refuses is shown in its own words.
      const choice = /^option '([^']+)' argument '(.*)' is invalid\. Allowed choices are (.+)\.$/s.exec(message);
      if (choice) return new QccError('QCC_ERR_OPTION_CHOICE', { option: flagOf(choice[1] ?? ''), value: choice[2] ?? '', choices: choice[3] ?? '' });
      return new QccError('QCC_ERR_USAGE', { detail: message });
    }
    default:
      // Help, version, and whatever else commander reports in its own words.
      return error.exitCode === 0 || error.code.startsWith('commander.help') || error.code === 'commander.version'
        ? error
        : new QccError('QCC_ERR_USAGE', { detail: message });
  }
}

/** Routes commander's errors from every command through `usageError`, and keeps commander from printing them. */
export function reportUsageErrorsInCatalogue(program: Command): void {
  const visit = (command: Command): void => {
    command.configureOutput({ outputError: () => undefined });
    command.exitOverride((error) => {
      throw usageError(error, command);
    });
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** `--base-url <url>` or `-d, --description <text>` → the long flag as a user types it. */
function flagOf(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags.split(/[ ,]/)[0] ?? flags;
}
