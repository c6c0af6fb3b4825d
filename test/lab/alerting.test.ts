// The lab's alerting and mail catcher as the program declares them, built against Pulumi's mock
// engine (no Docker, no Kibana here): which resources exist per configuration, the mail catcher's
// ports and settings, secrets, and the order of dependencies.

import { expect } from "chai";
import { buildLab, stackOutputs, type LabOutputs } from "../../lab/program";
import { readLabConfig } from "../../lab/read-config";
import { declared, readBack } from "./docker-read-back";
import { installMocks, isSecretOnTheWire, plain, valueOf, type Recorder } from "./mocks";

const CONTAINER = "docker:index/container:Container";
const ALERTING = "pulumi-nodejs:dynamic/lab:KibanaAlerting";
const ALERTS_INDEX = "pulumi-nodejs:dynamic/lab:AlertsIndex";

const BASE = { cohort: "cohort-m", elasticsearchPort: "9211", kibanaPort: "5611", datasetScenario: "spike", live: "true" };
const MAIL_CATCHER = { ...BASE, alerts: "true", mailCatcher: "true", mailCatcherPort: "8031" };
const SMTP = { ...BASE, cohort: "cohort-s", alerts: "true", smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: "smtp-very-secret", smtpFrom: "lab@example.com", alertEmailTo: "teacher@example.com", alertWebhookUrl: "https://hooks.example.com/x" };

interface Built {
  recorder: Recorder;
  lab: LabOutputs;
}

async function build(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<Built> {
  const recorder = await installMocks(stack, config, secretKeys);
  const lab = buildLab(readLabConfig());
  await valueOf(lab.documentCount);
  for (const job of Object.values(lab.jobs)) await valueOf(job.jobId);
  if (lab.alerts !== undefined) await valueOf(lab.alerts);
  return { recorder, lab };
}

function mailContainer(recorder: Recorder) {
  return recorder.ofType(CONTAINER).find((r) => r.name.endsWith("-mail-container"));
}

describe("lab alerting and mail catcher (Pulumi mocks)", function () {
  this.timeout(60_000);
  let mail: Built;
  let smtp: Built;
  let plainLab: Built;

  before(async () => {
    mail = await build("dev-mail", MAIL_CATCHER);
    smtp = await build("dev-smtp", SMTP, ["smtpPassword"]);
    plainLab = await build("dev-plain", { ...BASE, cohort: "cohort-p" });
  });

  describe("mail catcher", () => {
    it("runs Mailpit, pinned to a release, named for the cohort and labelled with it", () => {
      const container = mailContainer(mail.recorder)!;
      expect(plain(container.inputs.name)).to.equal("lab-cohort-m-mail");
      expect(plain(container.inputs.labels)).to.deep.include({ label: "lab.cohort", value: "cohort-m" });
      const image = mail.recorder.resources.find((r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name.endsWith("-mail-image"));
      expect(plain(image?.inputs.name)).to.match(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    });

    it("publishes only the web inbox, on 127.0.0.1 by default; SMTP stays on the cohort's network", () => {
      expect(plain(mailContainer(mail.recorder)!.inputs.ports)).to.deep.equal([{ internal: 8025, external: 8031, ip: "127.0.0.1" }]);
      expect(plain<{ name: string; aliases: string[] }[]>(mailContainer(mail.recorder)!.inputs.networksAdvanced)[0].aliases).to.deep.equal(["lab-cohort-m-mail"]);
    });

    it("restarts unless stopped, with a memory limit and no swap, and is replaced delete-first for its fixed port", () => {
      const container = mailContainer(mail.recorder)!;
      expect(plain(container.inputs.restart)).to.equal("unless-stopped");
      expect(plain(container.inputs.memory)).to.be.a("number").and.be.greaterThan(0);
      expect(plain(container.inputs.memorySwap)).to.equal(plain(container.inputs.memory));
      expect(container.deleteBeforeReplace).to.equal(true);
    });

    it("declares its fields the way the docker provider reads them back, so a second up changes nothing", () => {
      const container = mailContainer(mail.recorder)!;
      const inputs = Object.fromEntries(Object.entries(container.inputs).map(([key, value]) => [key, plain(value)]));
      expect(readBack(inputs)).to.deep.equal(declared(inputs));
    });

    it("gives Kibana's e-mail connector the mail catcher's name and SMTP port, without a login", () => {
      const alerting = mail.recorder.ofType(ALERTING)[0];
      expect(plain(alerting.inputs.email)).to.deep.equal({ host: "lab-cohort-m-mail", port: 1025, secure: false, from: "ml-lab@lab.invalid", to: ["class@lab.invalid"] });
      expect(alerting.inputs.smtpPassword).to.equal(undefined);
    });

    it("exports the inbox's URL", () => {
      expect(mail.lab.mailInbox).to.equal("http://127.0.0.1:8031");
      expect(stackOutputs(mail.lab).mailInbox).to.equal("http://127.0.0.1:8031");
    });

    it("is absent without lab:mailCatcher, and so removed by the update that unsets it", () => {
      for (const built of [smtp, plainLab]) {
        expect(mailContainer(built.recorder)).to.equal(undefined);
        expect(built.lab.mailInbox).to.equal(undefined);
        expect(stackOutputs(built.lab)).to.not.have.property("mailInbox");
      }
    });
  });

  describe("alerting", () => {
    it("declares the alerts index and the rule only with lab:alerts, and exports no alerts output otherwise", () => {
      expect(plainLab.recorder.ofType(ALERTING)).to.have.length(0);
      expect(plainLab.recorder.ofType(ALERTS_INDEX)).to.have.length(0);
      expect(stackOutputs(plainLab.lab)).to.not.have.property("alerts");
      expect(mail.recorder.ofType(ALERTING)).to.have.length(1);
      expect(plain(mail.recorder.ofType(ALERTS_INDEX)[0].inputs.index)).to.equal("lab-cohort-m-alerts");
    });

    it("makes the rule after every ML job it watches, after Kibana, the alerts index and the mail catcher, and names the jobs", () => {
      const rule = mail.recorder.ofType(ALERTING)[0];
      const jobs = mail.recorder.resources.filter((r) => r.type.endsWith(":MlJob"));
      expect(jobs.length).to.be.greaterThan(0);
      for (const job of jobs) expect(rule.dependencies, job.name).to.include(job.urn);
      const urnOf = (suffix: string) => mail.recorder.resources.find((r) => r.name.endsWith(suffix))!.urn;
      expect(rule.dependencies).to.include.members([urnOf("-kibana-container"), urnOf("-alerting-index"), urnOf("-mail-container")]);
      expect(plain(rule.inputs.jobIds)).to.deep.equal(jobs.map((job) => plain(job.inputs.jobId)));
    });

    it("replaces the rule and the alerts index delete-first, because their ids and name are fixed", () => {
      for (const r of [...mail.recorder.ofType(ALERTING), ...mail.recorder.ofType(ALERTS_INDEX)]) expect(r.deleteBeforeReplace, r.name).to.equal(true);
    });

    it("passes the SMTP settings to the e-mail connector, and the webhook URL", () => {
      const alerting = smtp.recorder.ofType(ALERTING)[0];
      expect(plain(alerting.inputs.email)).to.deep.equal({ host: "smtp.example.com", port: 587, secure: false, from: "lab@example.com", to: ["teacher@example.com"], user: "mailer" });
      expect(plain(alerting.inputs.webhookUrl)).to.equal("https://hooks.example.com/x");
    });

    it("keeps the SMTP password a secret on the wire, and out of every stack output", async () => {
      const alerting = smtp.recorder.ofType(ALERTING)[0];
      expect(isSecretOnTheWire(alerting.inputs.smtpPassword)).to.equal(true);
      expect(isSecretOnTheWire(alerting.inputs.password)).to.equal(true);
      const outputs = stackOutputs(smtp.lab);
      const alerts = await valueOf(smtp.lab.alerts!);
      expect(JSON.stringify(alerts)).to.not.include("smtp-very-secret");
      for (const [key, value] of Object.entries(outputs)) {
        if (key === "password") continue;
        const text = typeof value === "object" && value !== null && "apply" in value ? JSON.stringify(await valueOf(value as never)) : JSON.stringify(value);
        expect(text ?? "", key).to.not.include("smtp-very-secret");
      }
    });

    it("exports what was made: the alerts index and the connectors", async () => {
      const alerts = await valueOf(mail.lab.alerts!);
      expect(alerts.alertsIndex).to.equal("lab-cohort-m-alerts");
      expect(stackOutputs(mail.lab)).to.have.property("alerts");
    });
  });
});
