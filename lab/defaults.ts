// The default dataset of a lab, when the stack's config leaves lab:datasetDays, lab:datasetScenario
// and lab:datasetRate unset.
//
// Chosen by measurement (`npm run bench -- defaults`, figures in docs/performance.md): the jobs need
// two weekly cycles of history, so 14 days; the rate is the smallest candidate at which the reference
// detector, reading what the aggregated datafeeds return, keeps recall 1.0 and bucket precision
// >= 0.9 on every scenario over 20 seeds, and raises no alarm on clean traffic. Every document
// beyond that costs ingest time before the first ML result and teaches nothing more.

export const LAB_DEFAULT_DATASET = Object.freeze({
  days: 14,
  scenario: "mixed",
  meanRatePerSecond: 5,
});
