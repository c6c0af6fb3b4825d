// The default dataset of a lab, when the stack's config leaves lab:datasetDays, lab:datasetScenario
// and lab:datasetRate unset.
//
// The jobs need two weekly cycles of history, so 14 days. The rate decides the ingest time:
// `npm run bench -- defaults` looks for the smallest rate at which the reference detector, reading
// what the aggregated datafeeds return, keeps recall 1.0 and bucket precision >= 0.9 on every
// scenario over 20 seeds, and raises no alarm on clean traffic. Rates up to 1/s miss `errors`
// windows on quiet URLs at night; 2/s keeps the bar on every scenario (docs/performance.md, "The
// lab's default dataset"), with 40% of the documents 5/s would index.
//
// Elastic's prebuilt jobs (lab:mlJobs prebuilt) see the errors window only as 5xx responses counted
// over the whole service, which needs more traffic (at 2/s seed 1's window scores -log10 p 1.2):
// test/ml-jobs/prebuilt.test.ts checks that claim at prebuiltMeanRatePerSecond, and a lab that runs
// them defaults to it.

export const LAB_DEFAULT_DATASET = Object.freeze({
  days: 14,
  scenario: "mixed",
  meanRatePerSecond: 2,
  prebuiltMeanRatePerSecond: 5,
});
