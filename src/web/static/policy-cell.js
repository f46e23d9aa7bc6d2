// The fleet page's policy column and filter: each device's `policy` summary
// from the devices list (null when no check applies to it).

import { h } from "./dom.js";

/** Filter values: "" all, "failing", "critical", "passing", "pending", or "check:<name>" (failing that check). */
export function policyMatches(d, value) {
  if (!value) return true;
  const p = d.policy;
  if (value === "failing") return !!p && p.failing > 0;
  if (value === "critical") return !!p && p.worst === "critical";
  if (value === "passing") return !!p && p.failing === 0 && p.errors === 0 && p.pending === 0;
  if (value === "pending") return !!p && p.pending > 0;
  if (value.startsWith("check:")) return !!p && p.failed.some((f) => f.name === value.slice(6));
  return true;
}

/** The filter's options: the fixed ones, then "failing <check>" for every check seen failing. */
export function policyOptions(devices) {
  const names = new Set();
  for (const d of devices) for (const f of d.policy?.failed ?? []) names.add(f.name);
  return [
    h("option", { value: "" }, "All results"),
    h("option", { value: "failing" }, "Failing a check"),
    h("option", { value: "critical" }, "Failing a critical check"),
    h("option", { value: "passing" }, "Passing every check"),
    h("option", { value: "pending" }, "Not evaluated yet"),
    [...names].sort().map((n) => h("option", { value: `check:${n}` }, `Failing ${n}`)),
  ];
}

export function policyCell(d) {
  const p = d.policy;
  if (!p) return h("span", { class: "muted", title: "No policy check applies to this device" }, "—");
  if (p.failing > 0) {
    return [
      h("span", { class: `policy-tag policy-fail policy-${p.worst}`, title: `${p.failing} of ${p.checks} checks fail` }, `${p.failing} failing`),
      h("span", { class: "sub policy-failed" }, p.failed.map((f) => f.name).join(", ")),
    ];
  }
  if (p.pending === p.checks) return h("span", { class: "muted" }, "not evaluated");
  return [
    h("span", { class: "policy-tag policy-pass", title: `${p.passing} of ${p.checks} checks pass` }, `${p.passing}/${p.checks} pass`),
    p.pending || p.errors ? h("span", { class: "sub" }, [p.pending ? `${p.pending} pending` : null, p.errors ? `${p.errors} not evaluated in time` : null].filter(Boolean).join(", ")) : null,
  ];
}
