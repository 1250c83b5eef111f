import type { Export } from '../domain/export.js';
import { audiencesLink, notifyAudienceAlert } from '../notifications/audience-alerts.js';
import type { Services } from '../services.js';
import { recordAudienceAlert, recordNotification } from '../telemetry/events.js';
import { evaluateAlerts, type AudienceAlert } from './alerts.js';
import type { AudienceReading } from './model.js';
import { insightStore } from './store.js';

/**
 * Judges a reading against the export's alert settings and what the alerts remember, moves
 * that memory on (one conditional write: of two readers racing, one tells), and answers the
 * alerts raised. Never throws: an alert that cannot be judged is logged, the reading stands.
 */
export async function judgeAlerts(services: Pick<Services, 'storage'>, exp: Pick<Export, 'id' | 'audienceAlerts'>, reading: AudienceReading): Promise<AudienceAlert[]> {
  try {
    const { won, result } = await insightStore(services.storage).advanceAlertState(exp.id, reading.segment, (previous) => {
      const { next, alerts } = evaluateAlerts(exp.audienceAlerts, previous, reading);
      return { next, result: alerts };
    });
    return won ? result : [];
  } catch (error) {
    console.warn(`audience alerts of export ${exp.id}, segment ${reading.segment}: ${(error as Error).message}`);
    return [];
  }
}

/** Tells Azure Monitor (an `AudienceAlert` event) and every webhook of the export; never throws. */
export async function tellAlerts(services: Pick<Services, 'storage' | 'secrets' | 'config'>, exp: Pick<Export, 'id' | 'name' | 'destinationType'>, alerts: AudienceAlert[]): Promise<void> {
  for (const alert of alerts) {
    try {
      recordAudienceAlert({ ...alert, exportName: exp.name, destination: exp.destinationType });
      const notice = { ...alert, exportName: exp.name, destinationType: exp.destinationType, audiencesUrl: audiencesLink(services.config, exp.id) };
      for (const outcome of await notifyAudienceAlert(services, notice)) {
        recordNotification({ exportId: exp.id, runId: '', event: 'audience.alert', ...outcome });
      }
    } catch (error) {
      console.warn(`audience alert of export ${exp.id}, segment ${alert.segment}: ${(error as Error).message}`);
    }
  }
}
