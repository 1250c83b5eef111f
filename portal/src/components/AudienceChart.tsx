import { tokens } from '@fluentui/react-components';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCount } from './format.js';

export interface AudiencePoint {
  when: string;
  tracked: number | null;
  reported: number | null;
  added: number | null;
  removed: number | null;
}

// Told apart by line style and marker as well as colour.
const colors = {
  tracked: tokens.colorBrandForeground1,
  reported: tokens.colorPaletteDarkOrangeForeground2,
  added: tokens.colorPaletteGreenForeground2,
  removed: tokens.colorPaletteRedForeground2,
};

/**
 * Tracked against reported size over time (oldest first), with the adds and removes of the
 * run before each after-run reading as bars. A missing number is a gap, never drawn through.
 */
export function AudienceChart({ points, destinationName, reported, runs }: { points: AudiencePoint[]; destinationName: string; reported: boolean; runs: boolean }) {
  return (
    <ComposedChart data={points} responsive style={{ width: '100%', height: 280 }} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="when" tick={{ fontSize: 12 }} />
      <YAxis tickFormatter={(n: number) => formatCount(n)} tick={{ fontSize: 12 }} width={64} />
      <Tooltip formatter={(value) => (typeof value === 'number' ? formatCount(value) : String(value))} />
      <Legend />
      {runs ? <Bar dataKey="added" name="Added by the run" fill={colors.added} barSize={8} /> : null}
      {runs ? <Bar dataKey="removed" name="Removed by the run" fill={colors.removed} barSize={8} /> : null}
      {/* Wider than the dashed reported line, so equal sizes still show both. */}
      <Line dataKey="tracked" name="Tracked in the ledger" stroke={colors.tracked} strokeWidth={4} dot={{ r: 3 }} isAnimationActive={false} />
      {reported ? (
        <Line
          dataKey="reported"
          name={`Reported by ${destinationName}`}
          stroke={colors.reported}
          strokeWidth={2}
          strokeDasharray="6 3"
          dot={{ r: 4, strokeWidth: 2, fill: tokens.colorNeutralBackground1 }}
          isAnimationActive={false}
        />
      ) : null}
    </ComposedChart>
  );
}
