import { TeamPanel } from '../components/TeamPanel';
import { AccountsPanel } from './settings/AccountsPanel';
import { AuditPanel } from './settings/AuditPanel';
import { PreferencesPanel } from './settings/PreferencesPanel';

/** Settings: accounts, preferences (language, retention, watermark, purge), and the audit log. */
export function SettingsView() {
  return (
    <div className="settings-view">
      <AccountsPanel />
      <PreferencesPanel />
      <TeamPanel />
      <AuditPanel />
    </div>
  );
}
