import { useCallback, useEffect, useRef, useState } from 'react';
import type { CardView } from '../../../electron/contract';
import { type ClearanceError, invoke } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { CardFindings, ProblemList } from './CardFindings';
import { ExpiryBadge } from './ExpiryBadge';
import { Modal } from './Modal';

type Field = 'orderId' | 'name' | 'idNumber';
type Side = 'front' | 'back';

/** Revealed values hide again after this long, so an unattended screen does not keep them. */
const REVEAL_MS = 120_000;

/**
 * Characters beyond the bundled font (CJK extension B and later, U+20000 up) may show as boxes:
 * name their code points next to the name so the character is never silently lost.
 */
export function rareCodePoints(text: string): string[] {
  return [...text]
    .map((ch) => ch.codePointAt(0) ?? 0)
    .filter((cp) => cp >= 0x20000)
    .map((cp) => `U+${cp.toString(16).toUpperCase()}`);
}

/** Copy through main (audited, gives the text) then to the clipboard; false when the clipboard refused. */
export async function copyField(
  orderId: string,
  field: Field,
): Promise<'ok' | 'clipboard' | { error: ClearanceError }> {
  const r = await invoke('record.copy', { orderId, field });
  if (!r.ok) return { error: r.error };
  try {
    await navigator.clipboard.writeText(r.value.text);
    return 'ok';
  } catch {
    return 'clipboard';
  }
}

export function ClearanceCard({
  card,
  onRefresh,
  onForgotten,
  onAfterAction,
}: {
  card: CardView;
  onRefresh: () => void;
  onForgotten: () => void;
  /** After a copy or a reveal: the lookup view puts the focus back in the order box. */
  onAfterAction?: () => void;
}) {
  const { t, pick, beijingTime } = useI18n();
  const app = useApp();
  const [full, setFull] = useState<{ name: string; idNumber: string } | null>(null);
  const [revealing, setRevealing] = useState(false);
  const [zoom, setZoom] = useState<Side | null>(null);
  const [copied, setCopied] = useState<Field | null>(null);
  const [broken, setBroken] = useState<Record<Side, boolean>>({ front: false, back: false });

  // A different card (or a refreshed one) starts masked.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on identity change only
  useEffect(() => {
    setFull(null);
    setBroken({ front: false, back: false });
    setCopied(null);
  }, [card.orderId, card.fetchedAt]);

  useEffect(() => {
    if (!full) return;
    const timer = setTimeout(() => setFull(null), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [full]);

  const reveal = useCallback(async () => {
    if (full) {
      setFull(null);
      return;
    }
    setRevealing(true);
    const r = await invoke('record.reveal', { orderId: card.orderId });
    setRevealing(false);
    if (r.ok) setFull(r.value);
    else app.notifyError(r.error);
    onAfterAction?.();
  }, [full, card.orderId, app, onAfterAction]);

  const copiedText: Record<Field, string> = {
    orderId: t.card.copiedOrderId,
    name: t.card.copiedName,
    idNumber: t.card.copiedIdNumber,
  };
  const copy = async (field: Field) => {
    // The focus goes back to the order box first: a scanner's Enter must never press this button again.
    onAfterAction?.();
    const r = await copyField(card.orderId, field);
    if (r === 'ok') {
      setCopied(field);
      app.notify('success', copiedText[field]);
      setTimeout(() => setCopied((c) => (c === field ? null : c)), 1500);
    } else if (r === 'clipboard') app.notify('error', t.common.copyFailed);
    else app.notifyError(r.error);
  };
  const copyRef = useRef(copy);
  copyRef.current = copy;

  const exportPdf = useCallback(() => app.openExport([card.orderId]), [app, card.orderId]);

  const print = useCallback(async () => {
    const r = await invoke('record.print', { orderId: card.orderId });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    window.print();
  }, [app, card.orderId]);

  const forget = async () => {
    const yes = await app.confirm({
      title: t.card.forgetTitle,
      body: t.card.forgetBody(card.orderId),
      confirmLabel: t.card.forget,
      danger: true,
    });
    if (!yes) return;
    const r = await invoke('records.forget', { orderIds: [card.orderId] });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    app.notify('success', t.card.forgotten(card.orderId));
    onForgotten();
  };

  // The global shortcuts reach the card that is showing.
  useEffect(() => {
    app.cardActions.current = {
      refresh: onRefresh,
      reveal,
      exportPdf,
      print,
      copyName: () => void copyRef.current('name'),
      copyIdNumber: () => void copyRef.current('idNumber'),
    };
    return () => {
      app.cardActions.current = null;
    };
  }, [app.cardActions, onRefresh, reveal, exportPdf, print]);

  const sideLabel = (side: Side) => (side === 'front' ? t.card.front : t.card.back);
  const copyButton = (field: Field, label: string) => (
    <button
      type="button"
      className="icon-button copy-button"
      aria-label={label}
      title={label}
      aria-keyshortcuts={
        field === 'name' ? 'Control+Shift+N' : field === 'idNumber' ? 'Control+Shift+C' : undefined
      }
      onClick={() => copy(field)}
    >
      {copied === field ? <span className="copied">{t.common.copied}</span> : <CopyIcon />}
    </button>
  );

  return (
    <article className="card print-area" aria-labelledby="card-title">
      <header className="card-head">
        <div className="card-id">
          <h2 id="card-title" className="visually-hidden">
            {t.card.title}
          </h2>
          <span className="card-id-label">{t.card.orderId}</span>
          <span className="card-order mono" data-testid="card-order-id">
            {card.orderId}
          </span>
          {copyButton('orderId', t.card.copyOrderId)}
        </div>
        <div className="card-head-badges">
          {card.demo && (
            <span className="badge badge-demo" title={t.demoLong}>
              {t.demo}
            </span>
          )}
          <ExpiryBadge status={card.expiry.status} daysLeft={card.expiry.daysLeft} />
        </div>
        <span className="spacer" />
        <fieldset className="card-actions no-print">
          <legend className="visually-hidden">{t.card.actions}</legend>
          <button type="button" className="button" onClick={exportPdf} aria-keyshortcuts="Control+E">
            {t.card.exportPdf}
          </button>
          <button type="button" className="button" onClick={print} aria-keyshortcuts="Control+P">
            {t.card.print}
          </button>
          <button type="button" className="button" onClick={onRefresh} aria-keyshortcuts="Control+R">
            {t.card.refresh}
          </button>
          <button type="button" className="button button-danger-quiet" onClick={forget}>
            {t.card.forget}
          </button>
        </fieldset>
      </header>

      <div className="card-body">
        <div className="card-details">
          <dl className="fields">
            <div className="field-row">
              <dt>{t.card.name}</dt>
              <dd>
                <span className="value-big" data-testid="card-name">
                  {full ? full.name : card.maskedName}
                </span>
                {copyButton('name', t.card.copyName)}
                {full && rareCodePoints(full.name).length > 0 && (
                  <span className="rare-note">{t.card.rareChars(rareCodePoints(full.name).join(' '))}</span>
                )}
              </dd>
            </div>
            <div className="field-row">
              <dt>{t.card.idNumber}</dt>
              <dd>
                <span className="value-big mono" data-testid="card-id-number">
                  {full ? full.idNumber : card.maskedIdNumber}
                </span>
                {copyButton('idNumber', t.card.copyIdNumber)}
              </dd>
            </div>
          </dl>
          <div className="reveal-row no-print">
            <button
              type="button"
              className={`button ${full ? '' : 'button-primary'}`}
              onClick={reveal}
              disabled={revealing}
              aria-keyshortcuts="Control+Shift+R"
            >
              {full ? t.card.hide : t.card.reveal}
            </button>
            {full && (
              <span className="hint" role="status">
                {t.card.revealed}
              </span>
            )}
          </div>
          <dl className="fields fields-small">
            <div className="field-row">
              <dt>{t.card.type}</dt>
              <dd>{pick(card.typeLabel)}</dd>
            </div>
            <div className="field-row">
              <dt>{t.card.idForm}</dt>
              <dd>{pick(card.idFormLabel)}</dd>
            </div>
            <div className="field-row">
              <dt>{t.card.expiry}</dt>
              <dd>
                <span className="mono">
                  {card.expiry.date ??
                    (card.expiry.status === 'long-term' ? t.expiry['long-term'] : card.expiry.raw)}
                </span>
                {(card.expiry.date || card.expiry.status === 'long-term') &&
                  card.expiry.raw !== card.expiry.date && (
                    <span className="muted">
                      {' '}
                      ({t.card.rawExpiry}: {card.expiry.raw})
                    </span>
                  )}
              </dd>
            </div>
          </dl>
          <ProblemList
            id="warnings-title"
            title={t.card.warnings}
            none={t.card.noWarnings}
            items={card.warnings}
          />
          <CardFindings card={card} />
        </div>

        <div className="card-side">
          <section className="card-images" aria-label={t.card.images}>
            {(['front', 'back'] as const).map((side) => {
              const url = card.images[side];
              return (
                <figure key={side} className="id-image">
                  <figcaption>{sideLabel(side)}</figcaption>
                  {url && !broken[side] ? (
                    <button
                      type="button"
                      className="id-image-button"
                      aria-label={t.card.zoom(sideLabel(side))}
                      onClick={() => setZoom(side)}
                    >
                      <img
                        src={url}
                        alt={sideLabel(side)}
                        onError={() => setBroken((b) => ({ ...b, [side]: true }))}
                      />
                    </button>
                  ) : (
                    <div className="id-image-missing">
                      <span>{t.card.noImage}</span>
                      <span className="hint">{t.card.noImageHint}</span>
                    </div>
                  )}
                </figure>
              );
            })}
          </section>
          <dl className="fields-meta">
            <div className="field-row">
              <dt>{t.card.fetchedAt}</dt>
              <dd>
                <time dateTime={card.fetchedAt}>{beijingTime(card.fetchedAt)}</time>
              </dd>
            </div>
            {card.firstFetchedAt !== card.fetchedAt && (
              <div className="field-row">
                <dt>{t.card.firstFetchedAt}</dt>
                <dd>
                  <time dateTime={card.firstFetchedAt}>{beijingTime(card.firstFetchedAt)}</time>
                </dd>
              </div>
            )}
            <div className="field-row">
              <dt>{t.card.profile}</dt>
              <dd>{card.profile}</dd>
            </div>
            <div className="field-row">
              <dt>{t.card.source}</dt>
              <dd>{card.source === 'vault' ? t.card.sourceVault : t.card.sourceGateway}</dd>
            </div>
          </dl>
        </div>
      </div>

      <div className="print-watermark" aria-hidden="true">
        {card.demo ? `${t.demo} · ` : ''}
        {app.status.preferences.watermarkText}
      </div>

      {zoom && card.images[zoom] && (
        <Modal
          title={`${t.card.zoomTitle} · ${sideLabel(zoom)}`}
          onClose={() => setZoom(null)}
          className="zoom"
        >
          <img className="zoom-image" src={card.images[zoom] ?? ''} alt={sideLabel(zoom)} />
        </Modal>
      )}
    </article>
  );
}

function CopyIcon() {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <path d="M3 11V3.5C3 2.7 3.7 2 4.5 2H11" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
