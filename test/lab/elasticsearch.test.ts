// The Elasticsearch container's settings, as plain functions.

import { expect } from "chai";
import { ELASTICSEARCH_HEALTHCHECK, elasticsearchEnvironment, elasticsearchJavaOpts, everyJvmOptions, hostUrl } from "../../lab/elasticsearch";
import { labNames } from "../../lab/names";

describe("Elasticsearch container settings", () => {
  it("fixes the heap, and adds -XX:UseSVE=0 on arm64 only, in a form x86 JVMs ignore where the host is unknown", () => {
    expect(elasticsearchJavaOpts(1024)).to.equal("-Xms1024m -Xmx1024m");
    expect(everyJvmOptions("amd64")).to.equal(undefined);
    expect(everyJvmOptions("arm64")).to.equal("-XX:UseSVE=0");
    expect(everyJvmOptions("unknown")).to.equal("-XX:+IgnoreUnrecognizedVMOptions -XX:UseSVE=0");
  });

  it("gives -XX:UseSVE=0 to every JVM in the container, the entrypoint's keystore JVM included, and not only to the server", () => {
    const env = elasticsearchEnvironment({ names: labNames("a"), heapMb: 1024, hostArch: "arm64", allowMmap: true });
    expect(env).to.include("_JAVA_OPTIONS=-XX:UseSVE=0");
    expect(env).to.include("ES_JAVA_OPTS=-Xms1024m -Xmx1024m");
    expect(elasticsearchEnvironment({ names: labNames("a"), heapMb: 1024, hostArch: "amd64", allowMmap: true }).some((e) => e.startsWith("_JAVA_OPTIONS="))).to.equal(false);
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
