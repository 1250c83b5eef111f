import { Field, Input, Select } from '@fluentui/react-components';

/**
 * Form fields for one object of the destination catalog (credentials or settings), from its
 * JSON Schema: a destination added to the catalog brings its form along. Strings become
 * inputs (password inputs for credentials, which are write-only), enums become selects.
 */
interface PropertySchema {
  type?: string;
  description?: string;
  enum?: string[];
  pattern?: string;
}
export interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/** `advertiserId` → `Advertiser id`. */
export function labelOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Required fields left empty, as `{ '<prefix>.<name>': message }`. */
export function missingRequired(schema: ObjectSchema, values: Record<string, string>, prefix: string): Record<string, string> {
  const missing: Record<string, string> = {};
  for (const name of schema.required ?? []) {
    if (!values[name]?.trim()) missing[`${prefix}.${name}`] = `${labelOf(name)} is required`;
  }
  return missing;
}

export function SchemaFields(props: {
  schema: ObjectSchema;
  prefix: 'credentials' | 'settings';
  values: Record<string, string>;
  onChange: (values: Record<string, string>, field: string) => void;
  errorFor: (field: string) => string | undefined;
  secret?: boolean;
}) {
  const { schema, prefix, values, onChange, errorFor, secret } = props;
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const error = errorFor(`${prefix}.${name}`);
        const common = {
          label: labelOf(name),
          required: required.has(name),
          hint: property.description?.replace(/`/g, ''),
          validationMessage: error,
          validationState: error ? ('error' as const) : ('none' as const),
        };
        const set = (value: string) => {
          const next = { ...values };
          if (value === '') delete next[name];
          else next[name] = value;
          onChange(next, name);
        };
        return property.enum ? (
          <Field key={name} {...common}>
            <Select value={values[name] ?? ''} onChange={(_, data) => set(data.value)}>
              <option value="">{required.has(name) ? 'Choose one' : 'Default'}</option>
              {property.enum.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <Field key={name} {...common}>
            <Input type={secret ? 'password' : 'text'} autoComplete="off" value={values[name] ?? ''} onChange={(_, data) => set(data.value)} />
          </Field>
        );
      })}
    </>
  );
}
