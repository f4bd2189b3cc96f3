// Public JSON namespace: `json.parse`, `json.stringify` and value builders.
import { lastError as readError, parse as readJson } from './json-read';
import { Value, stringify as writeJson } from './json-value';

export { Kind, Value, array, boolean, nul, num, numbers, object, str, strings } from './json-value';

/** Parses JSON text; null when malformed (see `json.lastError()`). */
export function parse(text: string): Value | null {
  return readJson(text);
}

/** Why the last `json.parse` returned null ("" after a success). */
export function lastError(): string {
  return readError;
}

/** Serialises a value to compact JSON. */
export function stringify(value: Value): string {
  return writeJson(value);
}
