// Which detector functions exist and what each needs, from Elastic's function reference
// (https://www.elastic.co/guide/en/machine-learning/current/ml-functions.html): count, geographic,
// information content, metric, rare, sum and time functions. Short aliases (avg, dc, nzc, ...) are
// listed too because Elasticsearch accepts them.

export interface FunctionRule {
  /** "required": field_name must be set; "forbidden": it must not be */
  fieldName: "required" | "forbidden";
  /** field_name must be a numeric field */
  numericField: boolean;
  /** rare needs by_field_name; freq_rare needs by and over */
  requiresBy: boolean;
  requiresOver: boolean;
}

const count: FunctionRule = { fieldName: "forbidden", numericField: false, requiresBy: false, requiresOver: false };
const metric: FunctionRule = { fieldName: "required", numericField: true, requiresBy: false, requiresOver: false };
const anyField: FunctionRule = { fieldName: "required", numericField: false, requiresBy: false, requiresOver: false };

export const DETECTOR_FUNCTIONS: Readonly<Record<string, FunctionRule>> = {
  count, high_count: count, low_count: count,
  non_zero_count: count, high_non_zero_count: count, low_non_zero_count: count,
  nzc: count, high_nzc: count, low_nzc: count,
  distinct_count: anyField, high_distinct_count: anyField, low_distinct_count: anyField,
  dc: anyField, high_dc: anyField, low_dc: anyField,
  info_content: anyField, high_info_content: anyField, low_info_content: anyField,
  mean: metric, high_mean: metric, low_mean: metric, avg: metric, high_avg: metric, low_avg: metric,
  median: metric, high_median: metric, low_median: metric,
  min: metric, max: metric, metric,
  varp: metric, high_varp: metric, low_varp: metric,
  sum: metric, high_sum: metric, low_sum: metric,
  non_null_sum: metric, high_non_null_sum: metric, low_non_null_sum: metric,
  rare: { fieldName: "forbidden", numericField: false, requiresBy: true, requiresOver: false },
  freq_rare: { fieldName: "forbidden", numericField: false, requiresBy: true, requiresOver: true },
  time_of_day: count, time_of_week: count,
  lat_long: anyField,
};
