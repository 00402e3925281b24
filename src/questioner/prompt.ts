import type { Readable, Writable } from 'node:stream';

/**
 * The narrow terminal interface the interactive questioner needs. The CLI wires `clackPrompt()`;
 * tests inject a scripted one. A cancelled prompt (Ctrl-C, Escape) resolves to CANCELLED.
 */
export interface Prompt {
  confirm(message: string, options?: { readonly initial?: boolean }): Promise<boolean | Cancelled>;
  select<T extends string>(message: string, choices: readonly Choice<T>[]): Promise<T | Cancelled>;
  text(
    message: string,
    options?: { readonly placeholder?: string; readonly validate?: (value: string) => string | undefined },
  ): Promise<string | Cancelled>;
}

export interface Choice<T extends string> {
  readonly value: T;
  readonly label: string;
  readonly hint?: string;
}

export const CANCELLED: unique symbol = Symbol('sediment.prompt.cancelled');
export type Cancelled = typeof CANCELLED;

type Clack = typeof import('@clack/prompts');

/**
 * A Prompt on @clack/prompts. The module is imported on the first question, so commands that never
 * ask anything do not pay for loading it.
 */
export function clackPrompt(streams: { readonly input?: Readable; readonly output?: Writable } = {}): Prompt {
  let loaded: Promise<Clack> | undefined;
  const clack = () => (loaded ??= import('@clack/prompts'));
  const settle = async <T>(c: Clack, value: T | symbol): Promise<T | Cancelled> => (c.isCancel(value) ? CANCELLED : (value as T));
  return {
    async confirm(message, options = {}) {
      const c = await clack();
      return settle<boolean>(c, await c.confirm({ message, initialValue: options.initial ?? false, ...streams }));
    },
    async select<T extends string>(message: string, choices: readonly Choice<T>[]) {
      const c = await clack();
      const options = choices.map((choice) => ({ value: choice.value, label: choice.label, hint: choice.hint }));
      // clack's option type is conditional on the value type; our values are always strings.
      return settle<T>(c, await c.select<T>({ message, options: options as never, ...streams }));
    },
    async text(message, options = {}) {
      const c = await clack();
      const validate = options.validate;
      return settle<string>(
        c,
        await c.text({
          message,
          placeholder: options.placeholder,
          validate: validate ? (value: string | undefined) => validate(value ?? '') : undefined,
          ...streams,
        }),
      );
    },
  };
}
