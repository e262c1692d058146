/**
 * In-page scripts of the queries and storage commands (`get`, `is`, `storage`), as
 * source text like the rest of inpage.ts.
 */
import { script } from './inpage.js';

/** What `get` reads of an element. */
export type Reading = { text: string } | { value: string | string[] } | { attr: string | null } | { box: { x: number; y: number; width: number; height: number } };

export const READ = script<[string, string | null], Reading>(`function (what, name) {
  var el = this;
  if (what === 'text') return { text: (el.innerText !== undefined ? el.innerText : el.textContent || '').trim() };
  if (what === 'value') {
    if (el instanceof HTMLSelectElement && el.multiple) return { value: Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }) };
    if ('value' in el) return { value: String(el.value) };
    if (el.isContentEditable) return { value: el.innerText };
    return { value: el.getAttribute('value') || '' };
  }
  if (what === 'attr') return { attr: el.getAttribute(name) };
  var r = el.getBoundingClientRect();
  return { box: { x: Math.round(r.left * 100) / 100, y: Math.round(r.top * 100) / 100, width: Math.round(r.width * 100) / 100, height: Math.round(r.height * 100) / 100 } };
}`);

/** How many elements match a CSS selector (open shadow roots too). */
export const COUNT = script<[string], number>(`function (sel) {
  var n = document.querySelectorAll(sel).length;
  (function inside(root) {
    var all = root.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) if (all[i].shadowRoot) { n += all[i].shadowRoot.querySelectorAll(sel).length; inside(all[i].shadowRoot); }
  })(document);
  return n;
}`);

/** `is`: visible, enabled or checked; a string says why it cannot be told. */
export const STATE = script<[string], boolean | string>(`function (what) {
  var el = this;
  if (what === 'visible') {
    var rects = Array.prototype.some.call(el.getClientRects(), function (q) { return q.width > 0 && q.height > 0; });
    var style = getComputedStyle(el);
    return rects && style.visibility !== 'hidden' && style.visibility !== 'collapse';
  }
  if (what === 'enabled') {
    for (var a = el; a && a.nodeType === 1; a = a.parentElement) if (a.getAttribute('aria-disabled') === 'true') return false;
    return !el.matches(':disabled');
  }
  if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return el.checked;
  var aria = el.getAttribute('aria-checked') || el.getAttribute('aria-pressed') || el.getAttribute('aria-selected');
  if (aria === 'true' || aria === 'mixed') return true;
  if (aria === 'false') return false;
  return 'it is not a checkbox, radio, or an element with aria-checked, aria-pressed or aria-selected';
}`);

/** `storage`: reads or changes the page's localStorage or sessionStorage; says whose (its origin). */
export const WEB_STORAGE = script<['local' | 'session', 'get' | 'set' | 'remove' | 'clear', string | null, string | null],
  { origin: string } & ({ items: Array<[string, string]> } | { value: string | null } | { done: true })>(`function (kind, op, key, value) {
  var s = kind === 'local' ? localStorage : sessionStorage;
  var origin = location.origin;
  if (op === 'get' && key === null) {
    var items = [];
    for (var i = 0; i < s.length; i++) { var k = s.key(i); items.push([k, s.getItem(k)]); }
    items.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    return { origin: origin, items: items };
  }
  if (op === 'get') return { origin: origin, value: s.getItem(key) };
  if (op === 'set') s.setItem(key, value);
  else if (op === 'remove') s.removeItem(key);
  else s.clear();
  return { origin: origin, done: true };
}`);
