/**
 * Building DOM elements in one expression (the app has no framework).
 */

/** Attributes and properties of {@link el}: `class`, `data-*`, `aria-*`, `on*` handlers, anything else as an attribute. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** Children of {@link el}: elements or text; null/undefined/false are skipped. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element with attributes and children.
 * @example
 * el('a', { href: '#/', class: 'brand' }, 'nndoctor')
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, ...children);
  return node;
}

/**
 * Appends children (text or nodes) to `parent`.
 * @example
 * append(document.body, el('p', {}, 'hello'))
 */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/**
 * Replaces all children of `parent`.
 * @example
 * replaceChildren(panel, el('p', {}, 'no findings'))
 */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
