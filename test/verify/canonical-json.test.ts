import { expect } from "chai";
import { canonicalJson } from "../../verify/canonical-json";

describe("verify/canonical-json", () => {
  it("gives the same text for the same value whatever the key order, at every depth", () => {
    const a = { start: "s", anomalies: [{ id: "spike-1", entity: { field: "host.name", value: "web-01" } }], seed: 1 };
    const b = { seed: 1, anomalies: [{ entity: { value: "web-01", field: "host.name" }, id: "spike-1" }], start: "s" };
    expect(canonicalJson(a)).to.equal(canonicalJson(b));
  });

  it("keeps array order and tells different values apart", () => {
    expect(canonicalJson([1, 2])).not.to.equal(canonicalJson([2, 1]));
    expect(canonicalJson({ a: null })).not.to.equal(canonicalJson({ a: 0 }));
    expect(canonicalJson({ a: 1, b: [true, "x"] })).to.equal('{"a":1,"b":[true,"x"]}');
  });
});
