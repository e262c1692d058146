/**
 * Everything cdp runs inside the page, as source text. A function's own `toString()` is
 * whatever the last build made of it: esbuild's keepNames wraps inner functions in
 * `__name(…)`, coverage tools add counters, downlevelling adds helpers, and none of those
 * exist in the page. A string survives every build, ours and a library user's.
 *
 * Each script is a function expression. `callOn` runs it with an element as `this`
 * (Runtime.callFunctionOn); `callIn` and `Page.call` apply it to JSON arguments in a frame.
 * The type parameters say what it takes and returns; the page checks nothing of that.
 */

import { script, type PageScript } from '../session/script.js';

export { script, type PageScript };

/** What `probe` says of an element. */
export interface Probe { error?: string; x: number; y: number; left: number; top: number; covered: string | null; label: string }

/**
 * On an element: with no point, its visible centre (clipped to the viewport) and whatever
 * is hit there; with a point in session coordinates and the element's border-box corner
 * in the same, what is hit at that point. Open shadow roots are looked into. A label
 * forwards its clicks to its control, so clicking through it is what a user does.
 */
export const PROBE = script<[] | [number, number, number, number], Probe>(`function (sx, sy, bx, by) {
  var el = this;
  var doc = el.ownerDocument;
  function label(n) {
    var s = '<' + n.localName;
    if (n.id) s += ' id="' + n.id + '"';
    var cls = typeof n.className === 'string' ? n.className.trim() : '';
    if (cls) s += ' class="' + cls.split(/\\s+/).slice(0, 3).join(' ') + '"';
    var text = (n.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
    return s + '>' + (text ? ' "' + text + '"' : '');
  }
  var r = el.getBoundingClientRect();
  var out = { x: 0, y: 0, left: r.left, top: r.top, covered: null, label: label(el) };
  if (sx === undefined || sy === undefined || bx === undefined || by === undefined) {
    if (el.disabled) { out.error = out.label + ' is disabled'; return out; }
    var rects = Array.prototype.filter.call(el.getClientRects(), function (q) { return q.width > 0 && q.height > 0; });
    var style = doc.defaultView && doc.defaultView.getComputedStyle(el);
    if (!rects.length || (style && style.visibility === 'hidden')) {
      out.error = out.label + ' is not visible (hidden, display:none or no size)';
      return out;
    }
    var vw = doc.documentElement.clientWidth || innerWidth;
    var vh = doc.documentElement.clientHeight || innerHeight;
    var found = null;
    for (var i = 0; i < rects.length && !found; i++) {
      var q = rects[i];
      var l = Math.max(q.left, 0), t = Math.max(q.top, 0), rr = Math.min(q.right, vw), b = Math.min(q.bottom, vh);
      if (rr > l && b > t) found = [(l + rr) / 2, (t + b) / 2];
    }
    if (!found) { out.error = out.label + ' is outside the viewport, even scrolled into view'; return out; }
    out.x = found[0];
    out.y = found[1];
  } else {
    out.x = sx - bx + r.left;
    out.y = sy - by + r.top;
  }
  var hit = doc.elementFromPoint(out.x, out.y);
  while (hit && hit.shadowRoot) {
    var inner = hit.shadowRoot.elementFromPoint(out.x, out.y);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  var within = false;
  for (var c = hit; c && !within; c = c.parentNode || c.host || null) within = c === el;
  var forwards = hit instanceof HTMLLabelElement && hit.control === el;
  if (hit && !within && !forwards) out.covered = label(hit);
  return out;
}`);

/** The first element matching a CSS selector, looking into open shadow roots when the document has none. */
export const DEEP_QUERY = script<[string], Element | null>(`function (sel) {
  var direct = document.querySelector(sel);
  if (direct) return direct;
  var roots = [];
  (function collect(root) {
    var all = root.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) if (all[i].shadowRoot) { roots.push(all[i].shadowRoot); collect(all[i].shadowRoot); }
  })(document);
  for (var j = 0; j < roots.length; j++) {
    var found = roots[j].querySelector(sel);
    if (found) return found;
  }
  return null;
}`);

export const IS_CONNECTED = script<[], boolean>('function () { return this.isConnected; }');
export const OUTER_HTML = script<[], string>('function () { return this.outerHTML; }');
export const DOCUMENT_HTML = script<[], string>('function () { return document.documentElement.outerHTML; }');
export const LOCATION = script<[], { url: string; title: string }>('function () { return { url: location.href, title: document.title }; }');
export const HREF = script<[], string>('function () { return location.href; }');
export const DEVICE_PIXEL_RATIO = script<[], number>('function () { return window.devicePixelRatio; }');
export const VIEWPORT = script<[], { width: number; height: number; dpr: number }>(
  'function () { return { width: innerWidth, height: innerHeight, dpr: devicePixelRatio }; }');
export const EMULATED = script<[], { userAgent: string; media: string; online: boolean }>(`function () {
  return { userAgent: navigator.userAgent, media: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light', online: navigator.onLine };
}`);

/** One resource timing entry. */
export interface NetEntry { duration: number; size: number; type: string; name: string }

export const RESOURCE_TIMING = script<[], NetEntry[]>(`function () {
  return performance.getEntriesByType('resource').map(function (r) {
    return { duration: Math.round(r.duration), size: r.transferSize || r.encodedBodySize || 0, type: r.initiatorType, name: r.name };
  });
}`);

/** An element's box in document coordinates (for shot --selector). */
export const DOCUMENT_BOX = script<[], { x: number; y: number; width: number; height: number }>(`function () {
  var r = this.getBoundingClientRect();
  return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
}`);

/** Tag and text of an element, read before an action changes it (chrome-cdp's click output). */
export const TAG_TEXT = script<[], { tag: string; text: string }>(
  `function () { return { tag: this.tagName, text: (this.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 80) }; }`);

export const JS_CLICK = script<[], void>("function () { this.scrollIntoView({ block: 'center' }); this.click(); }");
export const FOCUS = script<[], void>('function () { this.focus(); }');

/** chrome-cdp's loadall step: click the first match if there is one. */
export const CLICK_FIRST = script<[string], boolean>(`function (sel) {
  var el = document.querySelector(sel);
  if (!el) return false;
  el.scrollIntoView({ block: 'center' });
  el.click();
  return true;
}`);

/** Where a scroll ended. */
export interface ScrollResult { of: 'page' | 'element'; x: number; y: number }
type ScrollBy = { dx: number; dy: number } | null;

export const SCROLL_PAGE = script<[ScrollBy, string | null], ScrollResult>(`function (d, end) {
  var box = document.scrollingElement || document.documentElement;
  if (end) box.scrollTo({ top: end === 'top' ? 0 : box.scrollHeight, behavior: 'instant' });
  else if (d) box.scrollBy({ left: d.dx, top: d.dy, behavior: 'instant' });
  return { of: 'page', x: Math.round(scrollX), y: Math.round(scrollY) };
}`);

export const SCROLL_ELEMENT = script<[ScrollBy, string | null], ScrollResult>(`function (d, end) {
  if (!d && !end) {
    this.scrollIntoView({ block: 'center', inline: 'center' });
    return { of: 'page', x: Math.round(scrollX), y: Math.round(scrollY) };
  }
  if (end) this.scrollTo({ top: end === 'top' ? 0 : this.scrollHeight, behavior: 'instant' });
  else if (d) this.scrollBy({ left: d.dx, top: d.dy, behavior: 'instant' });
  return { of: 'element', x: Math.round(this.scrollLeft), y: Math.round(this.scrollTop) };
}`);

/** wait --selector: the first match is there and visible. */
export const SELECTOR_VISIBLE = script<[string], boolean>(`function (sel) {
  var el = document.querySelector(sel);
  if (!el) return false;
  var r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}`);

export const HAS_TEXT = script<[string], boolean>("function (t) { return ((document.body && document.body.innerText) || '').indexOf(t) >= 0; }");

/** How `fill` must write to an element. */
export type FillKind = 'text' | 'editable' | 'set' | 'select' | 'checkable' | 'file' | 'readonly' | 'other';

export const FILL_KIND = script<[], FillKind>(`function () {
  var el = this;
  if (el instanceof HTMLSelectElement) return 'select';
  if (el instanceof HTMLInputElement) {
    if (el.type === 'checkbox' || el.type === 'radio') return 'checkable';
    if (el.type === 'file') return 'file';
    if (el.readOnly || el.disabled) return 'readonly';
    return ['date', 'datetime-local', 'month', 'week', 'time', 'color', 'range'].indexOf(el.type) >= 0 ? 'set' : 'text';
  }
  if (el instanceof HTMLTextAreaElement) return el.readOnly || el.disabled ? 'readonly' : 'text';
  return el.isContentEditable ? 'editable' : 'other';
}`);

/** Date, colour and range inputs take no typing: set through the native setter, as a picker does. */
export const SET_NATIVE_VALUE = script<[string], void>(`function (v) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(this, v);
  this.dispatchEvent(new Event('input', { bubbles: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
}`);

/** Focuses a field and selects its content, so typing replaces it; returns what it held. */
export const FOCUS_AND_SELECT = script<[boolean], string>(`function (editable) {
  this.focus();
  if (editable) {
    var range = document.createRange();
    range.selectNodeContents(this);
    var sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return this.textContent || '';
  }
  this.select();
  return this.value;
}`);

export const DISPATCH_CHANGE = script<[], void>("function () { this.dispatchEvent(new Event('change', { bubbles: true })); }");
export const FIELD_VALUE = script<[], string>("function () { return this.isContentEditable ? this.textContent || '' : this.value; }");

/** What `select` picked, or why it could not. */
export type SelectResult = { error: string } | { selected: Array<{ value: string; label: string }> };

export const SELECT_OPTIONS = script<[string[]], SelectResult>(`function (wanted) {
  var el = this;
  if (!(el instanceof HTMLSelectElement)) return { error: 'is a <' + el.localName + '>, not a <select>' };
  if (el.disabled) return { error: 'is disabled' };
  var opts = Array.prototype.slice.call(el.options);
  var norm = function (s) { return s.replace(/\\s+/g, ' ').trim(); };
  var picked = [];
  for (var i = 0; i < wanted.length; i++) {
    var w = wanted[i];
    var o = opts.find(function (x) { return x.value === w; }) ||
      opts.find(function (x) { return norm(x.label) === norm(w); }) ||
      opts.find(function (x) { return norm(x.text) === norm(w); });
    if (!o) return { error: 'has no option with value or label ' + JSON.stringify(w) + ' (options: ' + opts.map(function (x) { return JSON.stringify(norm(x.label)); }).join(', ') + ')' };
    picked.push(o);
  }
  if (picked.length > 1 && !el.multiple) return { error: 'takes one option (it is not a multiple select)' };
  opts.forEach(function (x) { x.selected = picked.indexOf(x) >= 0; });
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return { selected: picked.map(function (x) { return { value: x.value, label: norm(x.label) }; }) };
}`);

/** A checkbox's or radio's state, an aria-checked element's, or null for anything else. */
export const CHECKED_STATE = script<[], boolean | null>(`function () {
  if (this instanceof HTMLInputElement && (this.type === 'checkbox' || this.type === 'radio')) return this.checked;
  var aria = this.getAttribute('aria-checked');
  return aria === null ? null : aria === 'true';
}`);

export const IS_FILE_INPUT = script<[], boolean>("function () { return this instanceof HTMLInputElement && this.type === 'file'; }");
