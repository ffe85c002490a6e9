/**
 * Class/id words of page furniture that Readability sometimes keeps inside the article: share bars,
 * related/recommended lists, newsletter boxes, captions and credits, bylines and timestamps, hover
 * cards, breadcrumbs.
 */
const FURNITURE =
  /(?:^|[\s_-])(?:share|sharing|sharebar|social|socials|related|recommended|recommendations|newsletter|subscribe|subscription|signup|promo|promotion|caption|captions|credit|credits|byline|bylines|author-bio|authorbio|about-author|breadcrumb|breadcrumbs|trending|most-popular|mostpopular|recirc|recirculation|more-stories|read-more|readmore|dateline|timestamp|rollover|tooltip|popover|hovercard|outbrain|taboola|advert|advertisement|sponsored|nav|navigation|menu|skip-link|visually-hidden|sr-only|screen-reader-text)(?:$|[\s_-])/i;

const FURNITURE_SELECTOR = [
  'nav',
  'aside',
  'figcaption',
  'form',
  'button',
  '[role="navigation"]',
  '[role="menu"]',
  '[role="menubar"]',
  '[role="complementary"]',
  '[aria-hidden="true"]',
  '[hidden]',
].join(',');

function textLength(node: Element): number {
  return (node.textContent ?? '').replace(/\s+/g, ' ').trim().length;
}

/**
 * Removes page furniture from Readability's extracted content, in place. An element is removed when
 * its tag or ARIA role marks it as navigation/aside/caption, or its class or id names furniture, but
 * never when it holds more than a third of the extracted text (a container named `article-share-wrap`
 * that wraps the whole story must survive).
 */
export function stripBoilerplate(root: Element): void {
  const total = Math.max(1, textLength(root));
  const limit = total / 3;
  const victims: Element[] = [];
  for (const el of root.querySelectorAll('*')) {
    const named = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    if (el.matches(FURNITURE_SELECTOR) || FURNITURE.test(named)) victims.push(el);
  }
  for (const el of victims) {
    if (root.contains(el) && textLength(el) <= limit) el.remove();
  }
}
