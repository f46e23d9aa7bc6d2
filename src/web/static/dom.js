// DOM helpers: elements from data without ever parsing data as HTML.

/** Properties set as DOM properties (not attributes). */
const PROPS = new Set(["checked", "disabled", "hidden", "selected", "required", "readOnly", "multiple"]);

/**
 * createElement with props and children. Strings become text nodes, so data
 * is never parsed as HTML. `on*` props with a function become listeners;
 * `value` is set after the children (a select needs its options first).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = String(v);
    else if (k === "value") value = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  if (value !== undefined) el.value = String(value);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** replaceChildren with h()'s rules: arrays flattened, null/false skipped, strings as text. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * Makes `nodes` the children of `el`, in order, moving only those out of
 * place: a node taken out of the page loses keyboard focus, so rows that
 * stay where they were keep it through a live refresh.
 */
export function keepChildren(el, nodes) {
  nodes.forEach((n, i) => {
    if (el.children[i] !== n) el.insertBefore(n, el.children[i] ?? null);
  });
  while (el.children.length > nodes.length) el.lastElementChild.remove();
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function announce(text) {
  const a = $("#announcer");
  a.textContent = "";
  // A fresh text node makes screen readers speak it even when it repeats.
  setTimeout(() => (a.textContent = text), 50);
}
