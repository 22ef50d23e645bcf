import { useI18n } from '../../i18n';
import type { Problem } from '../../problems';

/** "Do not ship this parcel as is": red, with what is wrong and what to do, in words. */
export function ProblemBanner({ problems, orderId }: { problems: Problem[]; orderId: string }) {
  const { t } = useI18n();
  if (problems.length === 0) return null;
  return (
    <section className="problem-banner" role="alert" aria-labelledby="problem-title" data-testid="problem">
      <span className="problem-icon" aria-hidden="true">
        ✕
      </span>
      <div>
        <h2 id="problem-title" className="problem-title">
          {t.lookup.problem.title}
          <span className="problem-order mono"> · {orderId}</span>
        </h2>
        <ul className="problem-list">
          {problems.map((p) => (
            <li key={p}>
              <strong>{t.lookup.problem[p]}</strong>
              <span className="problem-next">→ {t.lookup.problem.next[p]}</span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
