import { BucketView } from '../timeseries/bucket-completeness';
import { TimeseriesResult } from '../timeseries/timeseries.service';

/**
 * The JSON of a page's buckets by the page's identity: the page cache hands every request of a page the same
 * frozen array, so a page is serialized once while it is cached (a 5000-bucket page is about 1 MB of JSON).
 */
const pageJson = new WeakMap<readonly BucketView[], string>();

/**
 * A market-data answer as JSON, exactly `JSON.stringify(result)`, its buckets' part reused from earlier answers
 * of the same page.
 */
export function timeseriesJson(result: TimeseriesResult): string {
  const { data, next_cursor, ...head } = result;
  let json = pageJson.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    if (Object.isFrozen(data)) pageJson.set(data, json);
  }
  // `head` is never empty and data/next_cursor are the answer's last keys: the same text JSON.stringify writes.
  return `${JSON.stringify(head).slice(0, -1)},"data":${json},"next_cursor":${JSON.stringify(next_cursor)}}`;
}
