import { confirm, input, password, select } from '@inquirer/prompts';
import { QccError, renderError } from '../core/errors.js';
import type { Lang } from '../i18n/lang.js';

export interface Choice<T> {
  readonly name: string;
  readonly value: T;
  readonly description?: string;
}

/**
 * The questions a command may ask. Commands ask only when `interactive` is true; without a terminal each question
 * has a flag, and a missing one is an error naming it.
 */
export interface Prompter {
  input(message: string, options?: { default?: string; validate?: (value: string) => string | true }): Promise<string>;
  secret(message: string, options?: { validate?: (value: string) => string | true }): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  select<T>(message: string, choices: readonly Choice<T>[], defaultValue?: T): Promise<T>;
}

export function createPrompter(): Prompter {
  return {
    input: (message, options = {}) =>
      guard(input({ message, ...(options.default !== undefined ? { default: options.default } : {}), validate: options.validate ?? (() => true) })),
    secret: (message, options = {}) => guard(password({ message, mask: '*', validate: options.validate ?? (() => true) })),
    confirm: (message, defaultValue) => guard(confirm({ message, default: defaultValue })),
    select: (message, choices, defaultValue) =>
      guard(
        select({
          message,
          choices: choices.map((choice) => ({ ...choice })),
          ...(defaultValue !== undefined ? { default: defaultValue } : {}),
          pageSize: 12,
        }),
      ),
  };
}

/** Ctrl-C at a prompt is the user's "no", not a crash. */
async function guard<T>(question: Promise<T>): Promise<T> {
  try {
    return await question;
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new QccError('QCC_ERR_CANCELLED', {}, { cause: error });
    }
    throw error;
  }
}

/** Turns a checking function into a prompt validator: a QccError's text is shown and the question asked again. */
export function validatorOf(check: (value: string) => unknown, lang: Lang): (value: string) => string | true {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (error) {
      if (error instanceof QccError) return renderError(error.code, error.params, lang);
      throw error;
    }
  };
}
