// Checks the Grafana dashboards (k8s/base/dashboards): each must type-check as
// @grafana/schema's Dashboard (tsc --strict: a misspelt or unknown field is an
// error), and every panel's PromQL must parse (promtool check rules).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, "..", "..", "k8s", "base", "dashboards");
const work = mkdtempSync(join(tmpdir(), "dashboards-"));
const files = readdirSync(folder).filter((f) => f.endsWith(".json"));
const sources = [], rules = [];
for (const file of files) {
  const json = readFileSync(join(folder, file), "utf8");
  const dashboard = JSON.parse(json);
  const ts = join(work, file.replace(/\.json$/, ".ts"));
  writeFileSync(ts, `import type { Dashboard } from "@grafana/schema";\nexport const dashboard: Dashboard = ${json};\n`);
  sources.push(ts);
  for (const panel of dashboard.panels ?? []) {
    for (const target of panel.targets ?? []) {
      if (!target.expr) throw new Error(`${file}: panel "${panel.title}" has a target without expr`);
      rules.push({ file, panel: panel.title, expr: target.expr });
    }
  }
}
// tsc resolves @grafana/schema from this folder's node_modules.
writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module: "esnext", moduleResolution: "bundler",
                     target: "es2022", paths: { "@grafana/schema": [join(here, "node_modules/@grafana/schema")] },
                     typeRoots: [] },
  files: sources,
}));
let failed = false;
try {
  execFileSync(join(here, "node_modules", ".bin", "tsc"), ["-p", join(work, "tsconfig.json")], { stdio: "inherit" });
} catch {
  failed = true;
}
// Each expression as a recording rule, so that promtool parses it.
const yaml = ["groups:", "  - name: dashboards", "    rules:"];
rules.forEach((r, i) => yaml.push(`      - record: dashboard:expr_${i}`, `        expr: ${JSON.stringify(r.expr)}`));
writeFileSync(join(work, "rules.yml"), yaml.join("\n") + "\n");
try {
  execFileSync("promtool", ["check", "rules", join(work, "rules.yml")], { stdio: "inherit" });
} catch {
  failed = true;
}
console.log(`${files.length} dashboards, ${rules.length} queries checked${failed ? ": PROBLEMS above" : ""}`);
process.exit(failed ? 1 : 0);
