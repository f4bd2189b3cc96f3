import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, ValidatorType } from '@rjsf/utils';
import { type ReactNode, useId, useMemo, useState } from 'react';
import type { Problem } from '../graphql/problem-list.ts';

export type Criticality = 'CRITICAL' | 'OPTIONAL';

export interface ConfigValues {
  config: Record<string, unknown>;
  priority: number;
  criticality: Criticality;
}

/**
 * Structural match of `data` against `schema` (type, const, enum, required, properties, items):
 * what the form needs to pick a `oneOf`/`anyOf` branch or an `if`. It compiles nothing, so no
 * `eval` (the page's CSP forbids it, and Ajv generates code); the server validates for real.
 */
function matches(schema: unknown, data: unknown, root: RJSFSchema, depth = 0): boolean {
  if (depth > 32 || typeof schema !== 'object' || schema === null) return true;
  let s = schema as RJSFSchema;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) {
    let target: unknown = root;
    for (const part of s.$ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part];
    s = { ...(target as RJSFSchema), ...s, $ref: undefined };
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(data)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((v) => JSON.stringify(v) === JSON.stringify(data))) return false;
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual =
      data === null ? 'null' : Array.isArray(data) ? 'array' : Number.isInteger(data) ? 'integer' : typeof data;
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return false;
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const record = data as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in record)) return false;
    for (const [key, sub] of Object.entries(s.properties ?? {}))
      if (key in record && !matches(sub, record[key], root, depth + 1)) return false;
  }
  if (Array.isArray(data) && s.items && typeof s.items === 'object' && !Array.isArray(s.items))
    return data.every((item) => matches(s.items, item, root, depth + 1));
  for (const sub of s.allOf ?? []) if (!matches(sub, data, root, depth + 1)) return false;
  return true;
}

const serverValidated: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: (schema, formData, rootSchema) => matches(schema, formData, rootSchema),
  rawValidation: () => ({ errors: [] }),
};

/** Server problems under `config.…` as the form's error tree; the rest are returned apart. */
export function configErrors(problems: readonly Problem[]): { errorSchema: ErrorSchema; others: Problem[] } {
  const errorSchema: Record<string, unknown> = {};
  const others: Problem[] = [];
  for (const problem of problems) {
    const field = problem.field ?? '';
    if (field !== 'config' && !field.startsWith('config.')) {
      others.push(problem);
      continue;
    }
    let node = errorSchema;
    for (const part of field.split('.').slice(1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node.__errors = [...((node.__errors as string[] | undefined) ?? []), problem.message];
  }
  return { errorSchema: errorSchema as ErrorSchema, others };
}

/**
 * The settings of an installation: a form generated from the version's config JSON Schema
 * (defaults filled in), then priority and criticality. Problems the server found are shown next to
 * their fields. Used to install (before the consent step) and to edit an installation.
 */
export function ConfigForm({
  schema,
  initial,
  problems,
  busy,
  submitLabel,
  onSubmit,
  children,
}: {
  schema: Record<string, unknown> | null | undefined;
  initial: ConfigValues;
  problems: readonly Problem[];
  busy: boolean;
  submitLabel: string;
  onSubmit: (values: ConfigValues) => void;
  children?: ReactNode;
}) {
  const id = useId();
  const [config, setConfig] = useState<Record<string, unknown>>(initial.config);
  const [priority, setPriority] = useState(String(initial.priority));
  const [criticality, setCriticality] = useState<Criticality>(initial.criticality);
  const { errorSchema, others } = useMemo(() => configErrors(problems), [problems]);
  const fieldProblem = (name: string) => others.filter((p) => p.field === name);
  const general = others.filter((p) => p.field !== 'priority' && p.field !== 'criticality');
  const rjsfSchema = (schema ?? { type: 'object', properties: {} }) as RJSFSchema;
  const hasFields = Object.keys((rjsfSchema.properties as object | undefined) ?? {}).length > 0 || !!rjsfSchema.oneOf;
  const priorityProblems = fieldProblem('priority');
  return (
    <Form
      className="config-form stack"
      schema={rjsfSchema}
      uiSchema={{ 'ui:title': 'Configuration', 'ui:submitButtonOptions': { norender: true } }}
      formData={config}
      validator={serverValidated}
      idPrefix={`config${id.replace(/:/g, '')}`}
      noHtml5Validate
      showErrorList={false}
      extraErrors={errorSchema}
      experimental_defaultFormStateBehavior={{ emptyObjectFields: 'populateAllDefaults' }}
      onChange={(event) => setConfig((event.formData ?? {}) as Record<string, unknown>)}
      onSubmit={(event) =>
        onSubmit({
          config: (event.formData ?? {}) as Record<string, unknown>,
          priority: Number(priority),
          criticality,
        })
      }
      disabled={busy}
    >
      {hasFields ? null : <p className="muted">This version takes no settings.</p>}
      {general.length > 0 ? (
        <div className="error" role="alert">
          <p>The server refused these values:</p>
          <ul>
            {general.map((p) => (
              <li key={`${p.field}:${p.code}:${p.message}`}>
                {p.field ? <code>{p.field}</code> : null} {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <fieldset className="stack">
        <legend>When it runs</legend>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <input
            id={`${id}-priority`}
            type="number"
            min={-1000}
            max={1000}
            step={1}
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
            aria-describedby={`${id}-priority-help`}
            aria-invalid={priorityProblems.length > 0 || undefined}
          />
          <p id={`${id}-priority-help`} className="help">
            −1000 to 1000; hooks of higher priority run first.
          </p>
          {priorityProblems.map((p) => (
            <p key={p.message} className="field-error">
              {p.message}
            </p>
          ))}
        </div>
        <div className="field">
          <label htmlFor={`${id}-criticality`}>If a hook fails</label>
          <select
            id={`${id}-criticality`}
            value={criticality}
            onChange={(e) => setCriticality(e.target.value as Criticality)}
          >
            <option value="OPTIONAL">Optional: record the failure and carry on</option>
            <option value="CRITICAL">Critical: fail the clip operation too</option>
          </select>
        </div>
      </fieldset>
      {children}
      <div className="row">
        <button type="submit" className="button" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </Form>
  );
}
