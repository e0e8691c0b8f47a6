/**
 * What the router needs of a page.
 */

/** A rendered page; the router destroys it before rendering the next. */
export interface Page {
  destroy(): void;
}
