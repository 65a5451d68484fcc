import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string[] };

/** Every problem at once, each as `dot.path: message`. */
export function validateConfig(file: unknown): Validation<Config> {
  const result = configSchema.safeParse(file);
  return result.success
    ? { ok: true, value: result.data as Config }
    : { ok: false, problems: result.error.issues.map(describeIssue) };
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
