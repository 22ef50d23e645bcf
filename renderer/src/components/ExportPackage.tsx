import { BUILT_IN_TEMPLATE_NAMES, type BuiltInTemplateName } from '../../../electron/core/rules';
import { useI18n } from '../i18n';

/** The broker's hand-over: one ZIP instead of loose files, and the manifest's template. */
export interface PackageChoice {
  package: boolean;
  template: BuiltInTemplateName;
}

export const NO_PACKAGE: PackageChoice = { package: false, template: 'default' };

/** What the choice adds to `export.start` (nothing when it is the plain default). */
export const packageRequest = (c: PackageChoice): { package?: true; template?: BuiltInTemplateName } => ({
  ...(c.package ? { package: true as const } : {}),
  ...(c.template !== 'default' ? { template: c.template } : {}),
});

export function ExportPackageFields({
  value,
  onChange,
}: {
  value: PackageChoice;
  onChange: (c: PackageChoice) => void;
}) {
  const { t } = useI18n();
  const x = t.exportPackage;
  return (
    <>
      <label className="field">
        <span>{x.template}</span>
        <select
          value={value.template}
          onChange={(e) => onChange({ ...value, template: e.target.value as BuiltInTemplateName })}
        >
          {BUILT_IN_TEMPLATE_NAMES.map((n) => (
            <option key={n} value={n}>
              {x.templates[n]}
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={value.package}
          onChange={(e) => onChange({ ...value, package: e.target.checked })}
        />
        {x.package}
      </label>
      {value.package && <p className="hint">{x.packageHint}</p>}
    </>
  );
}
