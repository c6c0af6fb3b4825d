// The Elasticsearch container's settings, as plain functions.

import { expect } from "chai";
import { ELASTICSEARCH_HEALTHCHECK, elasticsearchEnvironment, elasticsearchJavaOpts, hostUrl } from "../../lab/elasticsearch";
import { labNames } from "../../lab/names";

describe("Elasticsearch container settings", () => {
  it("fixes the heap and adds -XX:UseSVE=0 on arm64 only, in a form x86 JVMs ignore where the host is unknown", () => {
    expect(elasticsearchJavaOpts(1024, "amd64")).to.equal("-Xms1024m -Xmx1024m");
    expect(elasticsearchJavaOpts(2048, "arm64")).to.equal("-Xms2048m -Xmx2048m -XX:UseSVE=0");
    expect(elasticsearchJavaOpts(512, "unknown")).to.equal("-Xms512m -Xmx512m -XX:+IgnoreUnrecognizedVMOptions -XX:UseSVE=0");
  });

  it("turns mmap off only when asked, so vm.max_map_count does not matter", () => {
    const base = { names: labNames("a"), heapMb: 1024, hostArch: "amd64" as const };
    expect(elasticsearchEnvironment({ ...base, allowMmap: true })).to.not.include("node.store.allow_mmap=false");
    expect(elasticsearchEnvironment({ ...base, allowMmap: false })).to.include("node.store.allow_mmap=false");
    expect(elasticsearchEnvironment({ ...base, allowMmap: true }).join(" ")).to.not.include("memory_lock");
  });

  it("checks health inside the container, on its own port, with the password from its environment", () => {
    expect(ELASTICSEARCH_HEALTHCHECK[0]).to.equal("CMD-SHELL");
    expect(ELASTICSEARCH_HEALTHCHECK[1]).to.include('"elastic:$ELASTIC_PASSWORD"').and.include("http://localhost:9200/");
  });

  it("brackets IPv6 hosts in URLs", () => {
    expect(hostUrl("127.0.0.1", 9200)).to.equal("http://127.0.0.1:9200");
    expect(hostUrl("::1", 9200)).to.equal("http://[::1]:9200");
  });
});
