// The device page: facts, host-key block, paged timeline, diff viewer, downloads.

import { backupNow, backupResultEl, downloadVersion } from "./actions.js";
import { api, ApiError, describeError, deviceUrl, enc, getJson } from "./api.js";
import { $, append, fill, h } from "./dom.js";
import { renderDiffLines } from "./diff-view.js";
import { countsEl, fmtAbs, short, stateBadge, timeEl } from "./format.js";
import { session } from "./session.js";
import { comparePanel } from "./compare-panel.js";
import { lineView } from "./line-view.js";
import { mergeDevice, POLL_MS, refreshDevice, setView, store, view } from "./state.js";

const PAGE_SIZES = [10, 25, 50, 100];
const SECTIONS_SHOWN = 4;

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

  const title = h("h1", { tabindex: "-1" }, id);
  const headBadge = h("span", { class: "head-badge" });
  const backupBtn = h("button", { type: "button", class: "btn btn-primary", onclick: () => backupNow(id) }, "Back up now");
  const dlLatestOut = h("span", { class: "inline-status", role: "status" });
  const dlLatest = h("button", { type: "button", class: "btn", onclick: () => downloadVersion(id, null, dlLatestOut) }, "Download latest .rsc");
  const compare = comparePanel(id);
  const compareBtn = h("button", { type: "button", class: "btn", onclick: () => compare.open() }, "Compare with…");
  const backupOut = h("div", { class: "backup-slot" });
  const facts = h("dl", { class: "facts" });
  const blocked = h("div", { class: "blocked-slot" });
  const notice = h("p", { class: "notice notice-error", role: "alert", hidden: true });

  // Compare form
  const fromSel = h("select", { id: "diff-from" });
  const toSel = h("select", { id: "diff-to" });
  const compareForm = h(
    "form",
    { class: "compare", "aria-label": "Compare two versions" },
    h("div", { class: "field inline" }, h("label", { for: "diff-from" }, "From"), fromSel),
    h("div", { class: "field inline" }, h("label", { for: "diff-to" }, "To"), toSel),
    h("button", { type: "submit", class: "btn" }, "Compare"),
  );
  const diffHead = h("div", { class: "diff-head" });
  const diffBody = h("div", { class: "diff", id: "diff", "aria-live": "off" });
  const diffCard = h("section", { class: "card diff-card", "aria-labelledby": "diff-title" }, h("h2", { id: "diff-title" }, "Changes"), compareForm, diffHead, diffBody);

  const timeline = h("ol", { class: "timeline", "aria-label": "Versions, newest first" });
  const olderBtn = h("button", { type: "button", class: "btn btn-block", hidden: true }, "Older versions");
  const timelineStatus = h("p", { class: "muted", role: "status" }, "Loading history…");
  const perPage = h("select", { id: "history-page", value: store.historyPage }, PAGE_SIZES.map((n) => h("option", { value: n }, String(n))));
  const timelineCard = h(
    "section",
    { class: "card timeline-card", "aria-labelledby": "timeline-title" },
    h("div", { class: "card-head" }, h("h2", { id: "timeline-title" }, "History"), h("div", { class: "field inline per-page" }, h("label", { for: "history-page" }, "Per page"), perPage)),
    timelineStatus,
    timeline,
    olderBtn,
  );

  fill(
    $("#view"),
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/devices" }, "Fleet"), h("span", { "aria-hidden": "true" }, " / "), h("span", { "aria-current": "page" }, id)),
    h("div", { class: "page-head" }, h("div", { class: "title-row" }, title, headBadge), h("div", { class: "head-actions" }, backupBtn, dlLatest, compareBtn)),
    h("div", { class: "under-head" }, backupOut, dlLatestOut),
    notice,
    blocked,
    h("section", { class: "card facts-card", "aria-label": "Device facts" }, facts),
    at && line ? lineView(id, at, line).el : null,
    h("div", { class: "device-grid" }, timelineCard, diffCard),
    compare.el,
  );
  title.focus({ preventScroll: true });

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
    const row = (k, ...vals) => [h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, ...vals))];
    const rowWide = (k, ...vals) => [h("div", { class: "fact fact-wide" }, h("dt", {}, k), h("dd", {}, ...vals))];
    fill(
      facts,
      ...row("Host", h("code", {}, `${d.host}:${d.port}`)),
      ...row("Group", d.group ?? h("span", { class: "muted" }, "none")),
      ...row("Site", d.site ?? "default"),
      ...row("Source", d.source && d.source !== "config" ? `inventory source ${d.source}` : "config file"),
      ...(retired ? rowWide("Retired", timeEl(d.retired_at), " — it left ", d.source && d.source !== "config" ? "the inventory" : "the config file", "; its history stays below. If it returns, its history continues.") : []),
      ...row("RouterOS", d.routeros_version ?? h("span", { class: "muted" }, "unknown")),
      ...row("Last success", timeEl(d.last_success, "never")),
      ...row("Last change", timeEl(d.last_change)),
      ...row("Last attempt", timeEl(d.last_attempt, "never")),
      ...row("Next run", retired ? h("span", { class: "muted" }, "not scheduled (retired)") : d.status === "blocked" ? h("span", { class: "muted" }, "held until the block is cleared") : timeEl(d.next_run, "—", true)),
      ...rowWide("Host key (pinned)", d.host_key ? h("code", { class: "fp" }, d.host_key) : h("span", { class: "muted" }, "not pinned yet (first contact pins it)")),
      ...(d.last_error && d.status !== "ok" ? rowWide("Last error", h("span", { class: "error-text" }, h("strong", {}, d.last_error.code), ": ", d.last_error.message)) : []),
      ...(d.enabled === false ? row("Schedule", "disabled in the configuration") : []),
    );
    renderBlocked(d);
  };

  const renderBlocked = (d) => {
    if (d.status !== "blocked") {
      // The "accepted" / "unblocked" note stays until the device is collected again.
      if (d.status === "ok" || !blocked.querySelector(".accept-result.is-ok")) fill(blocked);
      return;
    }
    const code = d.last_error?.code ?? "";
    const key = `${code} ${d.presented_host_key}`;
    if (blocked.dataset.block === key && blocked.firstChild) return;
    blocked.dataset.block = key;
    const card = h("section", { class: "card alert-card", "aria-labelledby": "blocked-title" });
    if (code === "host_key_mismatch") {
      // The fingerprint shown is the one sent: the server pins exactly it, and refuses if the device presents another by now.
      const shown = d.presented_host_key;
      append(card, [
        h("h2", { id: "blocked-title" }, "Blocked: the SSH host key changed"),
        h("p", {}, "The device presented a different host key than the one pinned. Collection stays stopped until an admin accepts the new key. Compare the fingerprints with the device before accepting."),
        h(
          "dl",
          { class: "fingerprints" },
          h("dt", {}, "Expected (pinned)"),
          h("dd", {}, h("code", { class: "fp", id: "fp-expected" }, d.host_key ?? "—")),
          h("dt", {}, "Presented"),
          h("dd", {}, h("code", { class: "fp", id: "fp-presented" }, shown ?? "—")),
        ),
      ]);
      if (shown) {
        blockAction(card, {
          label: "Accept new key…",
          question: `Only accept if you know why the key changed (device replaced, reinstalled). Exactly ${shown} is pinned; any other key stays blocked.`,
          yes: "Yes, pin the presented key",
          path: "/host-key/accept",
          body: { fingerprint: shown },
          working: "Accepting…",
          done: "Host key accepted",
          doneText: `Accepted: ${shown} is pinned. A backup has started to confirm it.`,
          what: "Accepting the key",
          role: "accepting a host key",
        });
      }
    } else {
      append(card, [
        h("h2", { id: "blocked-title" }, code === "auth_failed" ? "Blocked: the device refused the login" : "Collection is blocked"),
        h("p", {}, d.last_error ? `${d.last_error.code}: ${d.last_error.message}` : "The device is blocked."),
      ]);
      if (code === "auth_failed") {
        append(card, [h("p", { class: "muted" }, "Fix the credentials in the configuration (the block clears when they change), or, if the login was fixed on the router, unblock it to try again.")]);
        blockAction(card, {
          label: "Unblock…",
          question: "Unblock only if the login was fixed on the router (or a lockout ended). A backup starts at once with the same credentials; if the login fails again, the device is blocked again.",
          yes: "Yes, try the login again",
          path: "/unblock",
          body: undefined,
          working: "Unblocking…",
          done: "Unblocked",
          doneText: "Unblocked. A backup has started to try the login again.",
          what: "Unblocking",
          role: "unblocking a device",
        });
      }
    }
    fill(blocked, card);
  };

  /** An admin action on a blocked device: a button, a confirmation, the request, the outcome in the card. */
  const blockAction = (card, a) => {
    const out = h("p", { class: "accept-result", role: "status" });
    const btn = h("button", { type: "button", class: "btn btn-danger" }, a.label);
    const confirmRow = h("div", { class: "confirm", hidden: true });
    const yes = h("button", { type: "button", class: "btn btn-danger" }, a.yes);
    const no = h("button", { type: "button", class: "btn" }, "Cancel");
    append(confirmRow, [h("p", {}, a.question), yes, " ", no]);
    btn.addEventListener("click", () => {
      confirmRow.hidden = false;
      btn.hidden = true;
      no.focus();
    });
    no.addEventListener("click", () => {
      confirmRow.hidden = true;
      btn.hidden = false;
      btn.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      out.className = "accept-result";
      out.textContent = a.working;
      try {
        const updated = await getJson(deviceUrl(id, a.path), { method: "POST", body: a.body });
        mergeDevice(updated);
        out.className = "accept-result is-ok";
        out.textContent = a.doneText;
        confirmRow.hidden = true;
        card.className = "card success-card";
        fill(card, h("h2", { id: "blocked-title" }, a.done), out);
        renderFacts();
      } catch (err) {
        out.className = "accept-result is-error";
        out.textContent = err instanceof ApiError && err.status === 403 ? `Not allowed: ${a.role} needs an admin token.` : describeError(err, a.what);
        yes.disabled = false;
      }
    });
    append(card, [btn, confirmRow, out]);
  };

  // ---- timeline

  const entryEl = (e, fresh) => {
    const viewBtn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Show the changes of ${short(e.commit)}`, onclick: () => showDiff(null, e.commit, true) }, "View changes");
    const dlOut = h("span", { class: "inline-status", role: "status" });
    const dlBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Download version ${short(e.commit)} as .rsc`, onclick: () => downloadVersion(id, e.commit, dlOut) }, "Download .rsc");
    const sectionItem = (s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added, s.removed));
    // A commit touching more sections than the service lists carries a count of the rest.
    const omitted = e.sections_omitted;
    const omittedItem = () => h("li", { class: "omitted" }, `${omitted.sections} more sections not listed `, countsEl(omitted.added, omitted.removed));
    const all = e.sections ?? [];
    const sections = all.slice(0, SECTIONS_SHOWN).map(sectionItem);
    if (omitted && all.length <= SECTIONS_SHOWN) sections.push(omittedItem());
    if (all.length > SECTIONS_SHOWN) {
      const more = h("button", { type: "button", class: "more", "aria-label": `Show all ${all.length} sections of ${short(e.commit)}` }, `+${all.length - SECTIONS_SHOWN} more`);
      more.addEventListener("click", () => {
        const list = more.closest("ul");
        fill(list, [...all.map(sectionItem), ...(omitted ? [omittedItem()] : [])]);
        list.querySelector("li")?.setAttribute("tabindex", "-1");
        list.querySelector("li")?.focus();
      });
      sections.push(h("li", { class: "more-item" }, more));
    }
    return h(
      "li",
      { class: `entry${fresh ? " fresh" : ""}${page.shownTo === e.commit ? " selected" : ""}`, dataset: { commit: e.commit } },
      h(
        "div",
        { class: "entry-head" },
        h("time", { datetime: e.time, class: "entry-time" }, fmtAbs(e.time)),
        e.trigger ? h("span", { class: `badge trigger trigger-${/^[a-z]+$/.test(e.trigger) ? e.trigger : "other"}` }, e.trigger) : null,
        e.routeros_version ? h("span", { class: "ver" }, `RouterOS ${e.routeros_version}`) : null,
        e.resealed ? h("span", { class: "badge resealed", title: "Only sealed values changed (new recipients); the configuration is the same" }, "re-seal") : null,
      ),
      h("p", { class: "entry-summary" }, e.summary),
      sections.length ? h("ul", { class: "sections", "aria-label": "Sections changed" }, sections) : null,
      h("div", { class: "entry-foot" }, h("code", { class: "commit", title: e.commit }, short(e.commit)), h("span", { class: "spacer" }), viewBtn, dlBtn),
      dlOut,
    );
  };

  const optionLabel = (e) => `${fmtAbs(e.time)} · ${short(e.commit)} · ${e.summary}`.slice(0, 120);

  const syncSelects = () => {
    const from = fromSel.value;
    const to = toSel.value;
    fill(fromSel, h("option", { value: "" }, "The version before “To”"), page.entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
    fill(toSel, page.entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
    fromSel.value = page.entries.some((e) => e.commit === from) ? from : "";
    if (page.entries.some((e) => e.commit === to)) toSel.value = to;
  };

  const updateTimelineStatus = () => {
    const n = page.entries.length;
    timelineStatus.textContent = n === 0 ? "No versions archived yet. The first successful backup creates one." : `${n} version${n === 1 ? "" : "s"} shown${page.next ? "" : " (all)"}`;
    olderBtn.hidden = !page.next;
    syncSelects();
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

  const loadHistory = async (before) => {
    const q = `?limit=${store.historyPage}${before ? `&before=${enc(before)}` : ""}`;
    const body = await getJson(deviceUrl(id, `/history${q}`));
    return body;
  };

  olderBtn.addEventListener("click", async () => {
    if (!page.next) return;
    olderBtn.disabled = true;
    olderBtn.textContent = "Loading…";
    try {
      const body = await loadHistory(page.next);
      if (view !== v) return;
      const known = new Set(page.entries.map((e) => e.commit));
      const added = body.entries.filter((e) => !known.has(e.commit));
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
      incoming = [
        {
          commit: ev.commit,
          parent: ev.parent,
          time: ev.collected_at,
          trigger: ev.trigger,
          routeros_version: ev.routeros_version,
          summary: (ev.sections ?? []).map((s) => `+${s.added} -${s.removed} in ${s.section}`).join(", ") || "new version",
          stats: ev.stats ?? { added: 0, removed: 0 },
          sections: ev.sections ?? [],
        },
      ];
    }
    if (view !== v) return;
    const known = new Set(page.entries.map((e) => e.commit));
    const fresh = [];
    for (const e of incoming) {
      if (known.has(e.commit)) break;
      fresh.push(e);
    }
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

  const showDiff = async (from, to, chosen) => {
    const seq = ++page.diffSeq;
    if (chosen) page.selectedTo = to;
    page.shownTo = to;
    for (const li of timeline.children) li.classList.toggle("selected", li.dataset.commit === to);
    if (fromSel.value !== (from ?? "")) fromSel.value = from ?? "";
    if (toSel.value !== to) toSel.value = to;
    fill(diffHead, h("p", { class: "muted" }, "Loading the diff…"));
    diffBody.setAttribute("aria-busy", "true");
    const q = `?to=${enc(to)}${from ? `&from=${enc(from)}` : ""}`;
    try {
      const [textRes, json] = await Promise.all([api(deviceUrl(id, `/diff${q}`), { accept: "text/x-diff" }), getJson(deviceUrl(id, `/diff${q}`))]);
      const text = await textRes.text();
      if (seq !== page.diffSeq || view !== v) return;
      renderDiff(text, json, from, to);
    } catch (err) {
      if (seq !== page.diffSeq || view !== v) return;
      fill(diffHead, h("p", { class: "inline-status is-error", role: "alert" }, describeError(err, "Loading the diff")));
      fill(diffBody);
    } finally {
      if (seq === page.diffSeq) diffBody.removeAttribute("aria-busy");
    }
    if (chosen) diffCard.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  const renderDiff = (text, json, from, to) => {
    // Without `from` the server diffs against the parent commit, whose copy of this file is the device's previous version.
    const at = page.entries.findIndex((e) => e.commit === (json.to ?? to));
    const previous = at >= 0 ? page.entries[at + 1] : undefined;
    const fromLabel = from ? short(json.from ?? from) : /^new file mode /m.test(text) ? "nothing (first snapshot)" : previous ? `${short(previous.commit)} (previous version)` : "previous version";
    const sections = json.sections ?? [];
    fill(
      diffHead,
      h("p", { class: "diff-range" }, h("code", {}, fromLabel), h("span", { "aria-hidden": "true" }, " → "), h("span", { class: "visually-hidden" }, " to "), h("code", {}, short(json.to ?? to)), " ", countsEl(json.stats?.added ?? 0, json.stats?.removed ?? 0)),
      sections.length
        ? h("ul", { class: "sections section-summary", "aria-label": "Changed lines by section" }, sections.map((s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added.length, s.removed.length))))
        : null,
    );
    renderDiffLines(diffBody, text, sections);
  };

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
