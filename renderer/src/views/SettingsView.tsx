import { TeamPanel } from '../components/TeamPanel';
import { AccountsPanel } from './settings/AccountsPanel';
import { AuditPanel } from './settings/AuditPanel';
import { ChecksPanel } from './settings/ChecksPanel';
import { PreferencesPanel } from './settings/PreferencesPanel';

/** Settings: accounts, preferences (language, retention, watermark, purge), the checks' limits, and the audit log. */
export function SettingsView() {
  return (
    <div className="settings-view">
      <AccountsPanel />
      <PreferencesPanel />
      <ChecksPanel />
      <TeamPanel />
      <AuditPanel />
    </div>
  );
}
