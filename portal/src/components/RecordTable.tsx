import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';

/**
 * Records exactly as a destination would receive them, whatever their shape: objects get a
 * column per field (every field any record has), plain values (e.g. SHA-256 hashes) one column.
 */
export function RecordTable({ label, records }: { label: string; records: unknown[] }) {
  const objects = records.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r));
  const columns = objects ? [...new Set(records.flatMap((r) => Object.keys(r as Record<string, unknown>)))] : ['Record'];
  const cell = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
  return (
    <Table aria-label={label} size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>#</TableHeaderCell>
          {columns.map((c) => (
            <TableHeaderCell key={c}>{c}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {records.map((record, i) => (
          <TableRow key={i}>
            <TableCell>{i + 1}</TableCell>
            {objects ? columns.map((c) => <TableCell key={c}>{cell((record as Record<string, unknown>)[c])}</TableCell>) : <TableCell>{cell(record)}</TableCell>}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
