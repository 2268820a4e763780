import { Expose, plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { cronProblem } from './cron-expression';

/** One setting read from the environment: where it is, what it is called there, and its default if it has one. */
export interface EnvSetting {
  readonly variable: string;
  /** The property of its class (AppConfig, or the group class the setting belongs to). */
  readonly property: string;
  /** The group property of AppConfig holding the setting, or undefined for a setting of AppConfig itself. */
  readonly group?: string;
  readonly hasDefault: boolean;
  readonly default?: unknown;
}

type Env = Readonly<Record<string, string | undefined>>;
type Class = abstract new () => object;

interface Declared {
  settings: Map<string, Omit<EnvSetting, 'group'>>;
  groups: Map<string, Class>;
}

/** What the decorators declared, per class prototype, in declaration order (the order problems are listed in). */
const DECLARED = new Map<object, Declared>();

function declared(target: object): Declared {
  let d = DECLARED.get(target);
  if (d === undefined) {
    d = { settings: new Map(), groups: new Map() };
    DECLARED.set(target, d);
  }
  return d;
}

/** The settings of `root` and of its groups, in declaration order. */
export function envSettings(root: Class): EnvSetting[] {
  const d = DECLARED.get(root.prototype as object);
  if (d === undefined) return [];
  const own = [...d.settings.values()];
  const grouped = [...d.groups].flatMap(([group, cls]) => envSettings(cls).map((s) => ({ ...s, group })));
  return [...own, ...grouped];
}

/** The environment variable of a property of a config object (AppConfig or a group), for messages. */
export function envVariableOf(config: object, property: string): string | undefined {
  return DECLARED.get(Object.getPrototypeOf(config) as object)?.settings.get(property)?.variable;
}

/** The config class `cls` read from `env`: every declared setting parsed, none validated yet. */
export function readEnv<T extends object>(cls: new () => T, env: Env): T {
  return plainToInstance(cls, { ...env }, { excludeExtraneousValues: true });
}

/** Applies decorators in the order they would run written as a stack above the property (bottom first). */
function stack(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const d of [...decorators].reverse()) d(target, property);
  };
}

/**
 * Binds a property to `variable`: unset or empty, it takes `fallback` (undefined: the setting is optional, and a
 * blank value is unset too); otherwise `parse` gives the value to validate. What `parse` cannot read it returns
 * as it came, so that validation names it.
 */
function envSetting(
  variable: string,
  fallback: { default: unknown } | undefined,
  parse: (value: string) => unknown,
): PropertyDecorator {
  return (target, property) => {
    declared(target).settings.set(String(property), {
      variable,
      property: String(property),
      hasDefault: fallback !== undefined,
      default: fallback?.default,
    });
    Expose({ name: variable })(target, property);
    Transform(({ value }: { value: unknown }) => {
      const text = typeof value === 'string' ? value : undefined;
      if (fallback === undefined) return text === undefined || text.trim() === '' ? undefined : parse(text);
      return text === undefined || text === '' ? fallback.default : parse(text);
    })(target, property);
    if (fallback === undefined) IsOptional()(target, property);
  };
}

const withDefault = <T>(options: { default?: T }) => ('default' in options ? { default: options.default } : undefined);

/** A number, or the text as given when it is none (blank included). */
function toNumber(value: string): unknown {
  if (value.trim() === '') return value;
  const n = Number(value);
  return Number.isNaN(n) ? value : n;
}

const rangeMessage = (op: '>=' | '<=', bound: number, note?: string) =>
  `must be ${op} ${bound}${note === undefined ? '' : ` (${note})`}`;

interface NumberOptions {
  default?: number;
  /** "must be an integer number of <unit>" (default "must be an integer"). */
  unit?: string;
  /** The whole message when the value is no number, instead of the one `unit` makes. */
  message?: string;
  min?: number;
  max?: number;
  /** Said after the bound, e.g. "10 minutes" for "must be <= 600000 (10 minutes)". */
  maxNote?: string;
  minMessage?: string;
  maxMessage?: string;
}

function bounds(o: NumberOptions): PropertyDecorator[] {
  const out: PropertyDecorator[] = [];
  if (o.min !== undefined) out.push(Min(o.min, { message: o.minMessage ?? rangeMessage('>=', o.min) }));
  if (o.max !== undefined) out.push(Max(o.max, { message: o.maxMessage ?? rangeMessage('<=', o.max, o.maxNote) }));
  return out;
}

/** An integer setting, e.g. `@EnvInt('KRAKEN_BURST', { default: 1, min: 1, max: 1000 })`. */
export function EnvInt(variable: string, o: NumberOptions): PropertyDecorator {
  const message = o.message ?? (o.unit === undefined ? 'must be an integer' : `must be an integer number of ${o.unit}`);
  return stack(envSetting(variable, withDefault(o), toNumber), IsInt({ message }), ...bounds(o));
}

/** A number > 0 (fractions allowed), e.g. requests per second. */
export function EnvNumber(
  variable: string,
  o: { default: number; unit?: string; max: number; maxNote?: string; positiveMessage?: string },
): PropertyDecorator {
  const message = o.unit === undefined ? 'must be a number' : `must be a number of ${o.unit}`;
  return stack(
    envSetting(variable, withDefault(o), toNumber),
    IsNumber({}, { message }),
    IsPositive({ message: o.positiveMessage ?? 'must be > 0' }),
    ...bounds(o),
  );
}

const BOOL_TRUE = new Set(['true', 'on', '1', 'yes']);
const BOOL_FALSE = new Set(['false', 'off', '0', 'no']);

/** on/off, true/false, 1/0, yes/no (any case, spaces around ignored). */
export function EnvBool(variable: string, o: { default: boolean; message: string }): PropertyDecorator {
  const parse = (value: string): unknown => {
    const v = value.trim().toLowerCase();
    return BOOL_TRUE.has(v) ? true : BOOL_FALSE.has(v) ? false : value;
  };
  return stack(envSetting(variable, withDefault(o), parse), IsBoolean({ message: o.message }));
}

/** A string, optionally matching `pattern`; without a default it is optional. */
export function EnvString(
  variable: string,
  o: { default?: string; pattern?: RegExp; message?: string; trim?: boolean } = {},
): PropertyDecorator {
  const parse = (value: string) => (o.trim ? value.trim() : value);
  const check = o.pattern === undefined ? IsString() : Matches(o.pattern, { message: o.message });
  return stack(envSetting(variable, withDefault(o), parse), check);
}

/** An http(s) URL; without a default it is optional. */
export function EnvUrl(variable: string, o: { default?: string } = {}): PropertyDecorator {
  return stack(
    envSetting(variable, withDefault(o), (value) => value),
    IsUrl(
      { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
      { message: 'must be an http(s) URL' },
    ),
  );
}

/** A cron expression, checked field by field with the scheduler's parser (the message names the field). */
export function EnvCron(variable: string, o: { default: string }): PropertyDecorator {
  return stack(
    envSetting(variable, withDefault(o), (value) => value.trim()),
    ValidateBy({
      name: 'cron',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && cronProblem(value) === null,
        defaultMessage: (args) => cronProblem(String(args?.value ?? '')) ?? 'not a cron expression',
      },
    }),
  );
}

/** One of `values` ("must be one of a, b"); `lowercase` reads the value in any case. */
export function EnvEnum<T extends string>(
  variable: string,
  values: readonly T[],
  o: { default: NoInfer<T>; lowercase?: boolean },
): PropertyDecorator {
  const parse = (value: string) => (o.lowercase ? value.toLowerCase() : value);
  return stack(
    envSetting(variable, withDefault(o), parse),
    IsIn([...values], { message: `must be one of ${values.join(', ')}` }),
  );
}

/** A comma list of `values` (any case); unset, all of them. */
export function EnvList<T extends string>(variable: string, values: readonly T[]): PropertyDecorator {
  const parse = (value: string) => value.split(',').map((s) => s.trim().toLowerCase());
  return stack(
    envSetting(variable, { default: [...values] }, parse),
    IsIn([...values], { each: true, message: `must be a comma list of ${values.join(', ')}` }),
  );
}

/** An ISO-8601 date, or a date-time with an explicit zone (a run must not depend on the machine's); optional. */
export function EnvDate(variable: string, o: { message: string }): PropertyDecorator {
  const parse = (value: string): unknown => {
    const v = value.trim();
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(v)) return value;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? value : d;
  };
  return stack(envSetting(variable, undefined, parse), IsDate({ message: o.message }));
}

/** What a custom parser could not read: kept apart from any value it can return, so that validation names it. */
class Unreadable {
  constructor(readonly text: string) {}
}

/** A setting with its own syntax: `parse` returns the value, or undefined when the text is malformed. */
export function EnvParsed<T>(
  variable: string,
  o: { default: T; parse: (value: string) => T | undefined; message: string },
): PropertyDecorator {
  return stack(
    envSetting(variable, withDefault(o), (value) => o.parse(value) ?? new Unreadable(value)),
    ValidateBy({
      name: 'parsed',
      validator: { validate: (value: unknown) => !(value instanceof Unreadable), defaultMessage: () => o.message },
    }),
  );
}

/** A group of settings (a read-only view such as `config.kraken`), read from the same environment. */
export function EnvGroup(group: new () => object): PropertyDecorator {
  return (target, property) => {
    declared(target).groups.set(String(property), group);
    Expose()(target, property);
    Transform(({ obj }: { obj: Env }) => readEnv(group, obj))(target, property);
    ValidateNested()(target, property);
  };
}
