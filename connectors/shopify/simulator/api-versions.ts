/**
 * The Admin API versions Shopify serves on a given day. A stable version comes out each quarter (YYYY-01, -04,
 * -07, -10) and is served for 12 months, so four stable versions are live at a time; the next quarter's release
 * candidate and `unstable` are served too. Any other version answers 404.
 */

const QUARTER_MONTHS = ['01', '04', '07', '10'] as const;

/** The version released `quartersAgo` quarters before the one current at `now` (negative: a later one). */
function versionQuartersAgo(now: Date, quartersAgo: number): string {
  const index = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3) - quartersAgo;
  return `${Math.floor(index / 4)}-${QUARTER_MONTHS[index % 4]}`;
}

export function supportedApiVersions(now: Date): string[] {
  return [3, 2, 1, 0, -1].map((ago) => versionQuartersAgo(now, ago)).concat('unstable');
}
