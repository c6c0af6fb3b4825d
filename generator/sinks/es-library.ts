// The Elasticsearch client library, loaded on first use. Loading it takes most of a second, longer
// than generating a small dataset, and a run that writes a file or only prints --help never needs
// it. Modules import its types statically (erased at run time) and reach its values through here.

import type * as Elasticsearch from "@elastic/elasticsearch";

let loaded: typeof Elasticsearch | undefined;

export function esLibrary(): typeof Elasticsearch {
  loaded ??= require("@elastic/elasticsearch") as typeof Elasticsearch;
  return loaded;
}
