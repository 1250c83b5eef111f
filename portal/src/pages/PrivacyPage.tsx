import { PageHeading } from '../components/PageHeading.js';
import { AuditTrailSection } from '../components/privacy/AuditTrailSection.js';
import { ErasuresSection } from '../components/privacy/ErasuresSection.js';
import { SuppressionsSection } from '../components/privacy/SuppressionsSection.js';
import { Section } from '../components/Section.js';

/** Admins: who must never be sent (suppression), who must be taken out now (erasure), and who did what (audit). */
export function PrivacyPage() {
  return (
    <>
      <PageHeading>Privacy</PageHeading>
      <Section title="Suppression list">
        <SuppressionsSection />
      </Section>
      <Section title="Erasure requests">
        <ErasuresSection />
      </Section>
      <Section title="Audit trail">
        <AuditTrailSection />
      </Section>
    </>
  );
}
