export { runSearch, MAX_TOTAL_HITS, MAX_GREP_BYTES, HISTORY_VERSIONS_PER_PAGE, type SearchParams, type SnapshotAnswer, type HistoryAnswer } from "./run-search.js";
export { parseAt, type SearchAt } from "./search-query.js";
export { encodeCursor, decodeCursor, queryKey, type SearchCursor } from "./cursor.js";
export { searchSnapshot, MAX_HIT_TEXT, type SearchDevice, type SearchHit } from "./search-snapshot.js";
export { searchHistory, MAX_SPANS, type DeviceHistoryMatches, type LineSpan } from "./search-history.js";
export { SearchSlots } from "./search-slots.js";
