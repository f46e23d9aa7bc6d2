// The device page: facts, host-key block, paged timeline, diff viewer, downloads.

import { backupResultEl } from "./actions.js";
import { ApiError, describeError, deviceUrl, getJson } from "./api.js";
import { renderBlocked } from "./blocked-card.js";
import { deviceLayout } from "./device-layout.js";
import { diffShower, fillVersionSelects } from "./device-diff.js";
import { fetchHistory, historyStatusText, newerThanShown, notShown } from "./device-history.js";
import { factRows } from "./device-facts.js";
import { fill, h } from "./dom.js";
import { stateBadge } from "./format.js";
import { session } from "./session.js";
import { entryFromCommitEvent, timelineEntry } from "./timeline-entry.js";
import { mergeDevice, POLL_MS, refreshDevice, setView, store, view } from "./state.js";

/** `at` and `line` (from a search hit): show that version's diff and the file around that line. */
export function renderDevice(id, { at = null, line = null } = {}) {
  const v = setView("device");
  document.title = `${id} · rosarchive`;
  const page = {
    entries: [],
    next: null,
    done: false,
    diffSeq: 0,
    /** The `to` the user picked (null: follow the newest). */
    selectedTo: null,
    shownTo: null,
  };

  const { headBadge, backupBtn, backupOut, facts, blocked, notice, fromSel, toSel, compareForm, diffHead, diffBody, diffCard, timeline, olderBtn, timelineStatus, perPage } = deviceLayout(id, { at, line });

  const renderFacts = () => {
    const d = store.devices.get(id);
    if (!d) return;
    fill(headBadge, stateBadge(d.status));
    const retired = d.status === "retired";
    backupBtn.hidden = retired;
    const pending = store.backups.get(id)?.kind === "pending";
    backupBtn.disabled = pending;
    backupBtn.textContent = pending ? "Backing up…" : "Back up now";
    fill(backupOut, backupResultEl(id));
    fill(facts, ...factRows(d));
    renderBlocked(blocked, id, d, renderFacts);
  };

  // ---- timeline

  const entryEl = (e, fresh) => timelineEntry(id, e, { fresh, selected: page.shownTo === e.commit, onView: () => showDiff(null, e.commit, true) });

  const updateTimelineStatus = () => {
    timelineStatus.textContent = historyStatusText(page.entries.length, !!page.next);
    olderBtn.hidden = !page.next;
    fillVersionSelects(fromSel, toSel, page.entries);
  };

  /** Full render on load; live commits and older pages add rows without rebuilding the rest (focus stays put). */
  const renderTimeline = () => {
    fill(timeline, ...page.entries.map((e) => entryEl(e, false)));
    updateTimelineStatus();
  };
  const prependEntries = (list) => {
    timeline.prepend(...list.map((e) => entryEl(e, true)));
    updateTimelineStatus();
  };
  const appendEntries = (list) => {
    timeline.append(...list.map((e) => entryEl(e, false)));
    updateTimelineStatus();
  };

  const loadHistory = (before) => fetchHistory(id, store.historyPage, before);

  olderBtn.addEventListener("click", async () => {
    if (!page.next) return;
    olderBtn.disabled = true;
    olderBtn.textContent = "Loading…";
    try {
      const body = await loadHistory(page.next);
      if (view !== v) return;
      const added = notShown(page.entries, body.entries);
      page.entries.push(...added);
      page.next = body.next;
      appendEntries(added);
      const first = added[0] && timeline.querySelector(`li[data-commit="${CSS.escape(added[0].commit)}"] button`);
      if (first) first.focus();
      else olderBtn.focus();
    } catch (err) {
      timelineStatus.textContent = describeError(err, "Loading older versions");
    } finally {
      olderBtn.disabled = false;
      olderBtn.textContent = "Older versions";
    }
  });

  /** New commits of this device arrive live: the newest page is fetched and what is new goes on top. */
  v.onCommit = async (ev) => {
    if (ev.device !== id) return;
    let incoming;
    try {
      incoming = (await loadHistory(null)).entries;
    } catch {
      incoming = [entryFromCommitEvent(ev)];
    }
    if (view !== v) return;
    const fresh = newerThanShown(page.entries, incoming);
    if (fresh.length === 0) return;
    page.entries.unshift(...fresh);
    if (page.entries.length === fresh.length && fresh.length === store.historyPage) page.next = fresh[fresh.length - 1].commit;
    prependEntries(fresh);
    // Until the user picks versions, the diff follows the newest change.
    if (!page.selectedTo) void showDiff(null, page.entries[0].commit, false);
  };

  // ---- diff

  compareForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!toSel.value) return;
    void showDiff(fromSel.value || null, toSel.value, true);
  });

  const showDiff = diffShower(id, page, { timeline, fromSel, toSel, diffHead, diffBody, diffCard }, () => view === v);

  // ---- load

  v.onDevice = (changed) => {
    if (changed === null || changed === id) renderFacts();
  };

  perPage.addEventListener("change", async () => {
    store.historyPage = Number(perPage.value);
    timelineStatus.textContent = "Loading history…";
    try {
      const hist = await loadHistory(null);
      if (view !== v) return;
      page.entries = hist.entries ?? [];
      page.next = hist.next ?? null;
      renderTimeline();
    } catch (err) {
      timelineStatus.textContent = describeError(err, "Loading the history");
    }
  });

  const loadAll = async () => {
    try {
      const [d, hist] = await Promise.all([getJson(deviceUrl(id)), loadHistory(null)]);
      if (view !== v) return;
      mergeDevice(d);
      renderFacts();
      page.entries = hist.entries ?? [];
      page.next = hist.next ?? null;
      renderTimeline();
      if (at) void showDiff(null, at, true);
      else if (page.entries.length > 0) void showDiff(null, page.entries[0].commit, false);
      else fill(diffHead, h("p", { class: "muted" }, "Nothing to compare yet."));
    } catch (err) {
      if (view !== v || !session) return;
      notice.hidden = false;
      notice.textContent = err instanceof ApiError && err.status === 404 ? `No device "${id}" in tenant ${session.tenant}.` : describeError(err, "Loading the device");
      timelineStatus.textContent = "";
    }
  };
  if (store.devices.has(id)) renderFacts();
  void loadAll();
  const poll = setInterval(() => document.visibilityState === "visible" && refreshDevice(id), POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}
